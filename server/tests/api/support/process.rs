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
    vars: HashMap<&'static str, String>,
}

impl RunningBinary {
    /// Kills the process without warning (SIGKILL), as a crash or the OOM
    /// killer would, and starts it again on the same data directory.
    /// Changes a variable for the next start.
    pub fn set(&mut self, name: &'static str, value: &str) {
        self.vars.insert(name, value.to_owned());
    }

    pub async fn crash_and_restart(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        self.child = start(&self.vars, &self.log).await;
    }

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
    let mut vars: HashMap<&'static str, String> = extra.iter().cloned().collect();
    vars.insert("TENANTRY_ADDR", format!("127.0.0.1:{}", free_port()));
    vars.insert("TENANTRY_DATA_DIR", data.path().display().to_string());
    vars.insert("TENANTRY_SITE_ROOT", data.path().display().to_string());
    if !vars.contains_key("TENANTRY_DATABASE_URL") {
        if let Some(url) = super::database::fresh_database_url().await {
            vars.insert("TENANTRY_DATABASE_URL", url);
        }
    }
    let config = Config::from_lookup(|name| vars.get(name).cloned()).expect("config");
    let log = data.path().join("server.log");
    let child = start(&vars, &log).await;
    let app = TestApp {
        address: format!("http://{}", config.addr),
        metrics_address: None,
        setup_link: None,
        config,
        clock: None,
        backend: None,
        _data: data,
    };
    (app, RunningBinary { child, log, vars })
}

/// Starts the binary, appending to `log`, and waits until it answers.
async fn start(vars: &HashMap<&'static str, String>, log: &std::path::Path) -> Child {
    let output = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)
        .unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_tenantry"))
        .env_clear()
        .envs(vars.iter().map(|(k, v)| (k.to_string(), v.clone())))
        .stdout(Stdio::from(output.try_clone().unwrap()))
        .stderr(Stdio::from(output))
        .spawn()
        .expect("tenantry starts");
    let address = format!("http://{}", vars["TENANTRY_ADDR"]);
    let started = Instant::now();
    loop {
        let health = reqwest::get(format!("{address}/health")).await;
        if health.map(|r| r.status().is_success()).unwrap_or(false) {
            break;
        }
        if started.elapsed() > Duration::from_secs(30) {
            let _ = child.kill();
            panic!(
                "tenantry did not answer /health: {}",
                std::fs::read_to_string(log).unwrap_or_default()
            );
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    child
}
