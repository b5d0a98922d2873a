//! The real `tenantry` binary as an operator runs it, with its log output
//! captured to a file, for tests about what the process prints.

use super::TestApp;
use server::Config;
use std::collections::HashMap;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct RunningBinary {
    child: Child,
    pub log: PathBuf,
}

impl RunningBinary {
    /// Stops the server and returns everything it wrote to stdout and stderr.
    pub fn stop(mut self) -> String {
        let _ = self.child.kill();
        let _ = self.child.wait();
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for RunningBinary {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Starts `tenantry` on a free port with a fresh data directory; `prepare`
/// runs first against the same configuration (e.g. to create an
/// organisation). Returns a `TestApp` pointing at it.
pub async fn spawn_binary_with(extra: &[(&'static str, String)]) -> (TestApp, RunningBinary) {
    let data = tempfile::tempdir().expect("temp dir");
    let mut vars: HashMap<&str, String> = extra.iter().cloned().collect();
    vars.insert("TENANTRY_ADDR", format!("127.0.0.1:{}", free_port()));
    vars.insert("TENANTRY_DATA_DIR", data.path().display().to_string());
    vars.insert("TENANTRY_SITE_ROOT", data.path().display().to_string());
    let config = Config::from_lookup(|name| vars.get(name).cloned()).expect("config");
    let log = data.path().join("server.log");
    let output = std::fs::File::create(&log).unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_tenantry"))
        .env_clear()
        .envs(vars.iter().map(|(k, v)| (k.to_string(), v.clone())))
        .stdout(Stdio::from(output.try_clone().unwrap()))
        .stderr(Stdio::from(output))
        .spawn()
        .expect("tenantry starts");
    let address = format!("http://{}", config.addr);
    let started = Instant::now();
    loop {
        let health = reqwest::get(format!("{address}/health")).await;
        if health.map(|r| r.status().is_success()).unwrap_or(false) {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "tenantry did not answer /health: {}",
            std::fs::read_to_string(&log).unwrap_or_default()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let app = TestApp {
        address,
        setup_link: None,
        config,
        clock: None,
        _data: data,
    };
    (app, RunningBinary { child, log })
}
