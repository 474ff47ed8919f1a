//! An idle emulator uses no CPU: nothing ticks, task progress is computed when polled.
//! (Alone in its test binary so that no other test's work is measured.)
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[cfg(target_os = "linux")]
fn cpu_ticks() -> u64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap();
    let after_name = &stat[stat.rfind(')').unwrap() + 2..];
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the whole line (11 and 12 here).
    fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap()
}

#[cfg(target_os = "linux")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_emulator_uses_no_cpu() {
    let emu = ocr_emulator::Emulator::start(ocr_emulator::EmulatorConfig::default())
        .await
        .unwrap();
    // Some work first: a PicWish task that stays "processing" for a while.
    let client = reqwest::Client::new();
    let r = client
        .post(format!("{}api/tasks/document/ocr", emu.base_url()))
        .header("X-API-KEY", ocr_emulator::PICWISH_API_KEY)
        .multipart(reqwest::multipart::Form::new().text("image_url", "https://example.com/a.png"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    let before = cpu_ticks();
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    let used = cpu_ticks() - before;
    // Clock ticks are usually 1/100 s: allow a few for the runtime's own timers.
    assert!(
        used <= 5,
        "an idle emulator used {used} ticks of CPU in 1.5 s"
    );
    emu.shutdown().await;
}
