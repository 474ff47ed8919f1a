//! The documented 2 requests/s is applied client-side by default, shared by clones.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use std::time::{Duration, Instant};

use common::*;
use picwish::PicWish;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer};

#[tokio::test]
async fn clones_share_the_default_two_requests_per_second() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(json(200, fixture!("responses/query-queued.json")))
        .expect(5)
        .mount(&server)
        .await;
    let client = PicWish::builder()
        .api_key(KEY)
        .base_url(server.uri())
        .build()
        .unwrap();
    assert_eq!(client.rate_limit(), Some(2.0));
    let other = client.clone();

    let started = Instant::now();
    let (a, b) = tokio::join!(
        async {
            for _ in 0..3 {
                client.query(TASK_ID).await.unwrap();
            }
        },
        async {
            for _ in 0..2 {
                other.query(TASK_ID).await.unwrap();
            }
        }
    );
    let ((), ()) = (a, b);
    // A burst of 2, then one every 500 ms: the fifth request leaves at 1.5 s.
    let elapsed = started.elapsed();
    assert!(elapsed >= Duration::from_millis(1450), "{elapsed:?}");
    assert!(elapsed < Duration::from_secs(3), "{elapsed:?}");
}
