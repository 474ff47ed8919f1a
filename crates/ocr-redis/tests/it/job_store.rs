//! `RedisJobs` against a real `redis-server` on loopback: put/get/remove/keys, a multi-page job
//! survives, the layout (index set, lease key), leases between workers, bad keys and
//! namespaces refused.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::common;

use std::time::Duration;

use ocr_core::JobStore;
use ocr_core::{ErrorKind, Job, PageTask};
use ocr_redis::{RedisJobs, MAX_JOB_KEY_CHARS};

fn job_with_pages() -> Job {
    let mut job = Job::new("cos-ci", "j1", 1_700_000_000).with_meta("region", "ap-beijing");
    job.page_tasks = vec![PageTask::new(1, "j1"), PageTask::new(2, "j2")];
    job.pages_requested = vec![1, 2];
    job
}

#[tokio::test]
async fn jobs_round_trip_and_are_indexed_per_namespace() {
    let redis = common::RedisServer::start();
    let store = RedisJobs::connect(&redis.url(), "web").await.unwrap();
    let other = RedisJobs::connect(&redis.url(), "other").await.unwrap();
    assert!(store.keys().await.unwrap().is_empty());
    assert!(store.get("req-1").await.unwrap().is_none());

    let job = job_with_pages();
    store.put("req-1", &job).await.unwrap();
    store
        .put("req:2 ü", &Job::new("lkeap", "t2", 0))
        .await
        .unwrap();
    assert_eq!(store.get("req-1").await.unwrap(), Some(job));
    assert_eq!(
        store.get("req-1").await.unwrap().unwrap().page_tasks[1].task_id,
        "j2"
    );
    assert_eq!(
        store.keys().await.unwrap(),
        vec!["req-1".to_owned(), "req:2 ü".to_owned()]
    );
    // The documented layout.
    let raw: String = redis.query(&["GET", "cloud-ocr:jobs:web:req-1"]).await;
    assert!(raw.contains("\"task_id\":\"j1\""));
    assert_eq!(store.job_key("req-1"), "cloud-ocr:jobs:web:req-1");
    let members: Vec<String> = redis.query(&["SMEMBERS", "cloud-ocr:jobs-index:web"]).await;
    assert_eq!(members.len(), 2);
    // Namespaces are apart.
    assert!(other.keys().await.unwrap().is_empty());
    assert!(other.get("req-1").await.unwrap().is_none());

    store
        .lease("req-1", "w1", Duration::from_secs(60))
        .await
        .unwrap();
    store.remove("req-1").await.unwrap();
    store.remove("req-1").await.unwrap();
    assert!(store.get("req-1").await.unwrap().is_none());
    assert_eq!(store.keys().await.unwrap(), vec!["req:2 ü".to_owned()]);
    let lease: i64 = redis
        .query(&["EXISTS", "cloud-ocr:jobs-lease:web:req-1"])
        .await;
    assert_eq!(lease, 0, "removing a job frees its lease");
}

#[tokio::test]
async fn a_lease_refuses_other_workers_until_it_expires() {
    let redis = common::RedisServer::start();
    let a = RedisJobs::connect(&redis.url(), "web").await.unwrap();
    let b = RedisJobs::connect(&redis.url(), "web").await.unwrap();
    a.put("k", &job_with_pages()).await.unwrap();
    let ttl = Duration::from_millis(300);
    assert!(a.lease("k", "w1", ttl).await.unwrap());
    assert!(!b.lease("k", "w2", ttl).await.unwrap());
    // The holder renews.
    assert!(a.lease("k", "w1", ttl).await.unwrap());
    assert!(!b.lease("k", "w2", ttl).await.unwrap());
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert!(b.lease("k", "w2", ttl).await.unwrap());
    assert!(!a.lease("k", "w1", ttl).await.unwrap());
}

#[tokio::test]
async fn bad_keys_and_namespaces_are_refused_naming_the_rule() {
    let redis = common::RedisServer::start();
    let store = RedisJobs::connect(&redis.url(), "web").await.unwrap();
    let long = "x".repeat(MAX_JOB_KEY_CHARS + 1);
    for (key, rule) in [
        ("", "empty"),
        (long.as_str(), "at most 200"),
        ("a\tb", "control"),
        ("a/b", "`/`"),
    ] {
        let err = store.put(key, &Job::new("p", "t", 0)).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput);
        assert_eq!(err.field(), Some("key"));
        assert!(err.to_string().contains(rule), "{err} should name {rule}");
        assert!(store.get(key).await.is_err());
        assert!(store.remove(key).await.is_err());
        assert!(store.lease(key, "w", Duration::from_secs(1)).await.is_err());
    }
    assert!(store.keys().await.unwrap().is_empty());
    for namespace in ["", "a:b", "a b"] {
        let err = RedisJobs::connect(&redis.url(), namespace)
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Config);
        assert!(err.to_string().contains("namespace"));
    }
}
