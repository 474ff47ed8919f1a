//! `PicWish::from_env` reads `PICWISH_API_KEY` (alone in this binary: it changes the process
//! environment).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use ocr_core::ErrorKind;
use picwish::{PicWish, API_KEY_ENV};

#[test]
fn from_env_reads_the_key_and_says_what_is_missing() {
    std::env::remove_var(API_KEY_ENV);
    let err = PicWish::from_env().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Config);
    assert!(err.message().contains("PICWISH_API_KEY"), "{err}");

    std::env::set_var(API_KEY_ENV, "");
    assert_eq!(PicWish::from_env().unwrap_err().kind(), ErrorKind::Config);

    std::env::set_var(API_KEY_ENV, "env-key-0b7e41d2");
    let client = PicWish::from_env().unwrap();
    assert_eq!(client.base_url().as_str(), "https://techhk.aoscdn.com/");
    assert!(!format!("{client:?}").contains("env-key-0b7e41d2"));

    std::env::remove_var(API_KEY_ENV);
}
