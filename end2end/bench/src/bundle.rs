//! What the browser downloads: one wasm module with the code of the pages'
//! islands, and its JavaScript loader. Every page loads the same two files
//! (once; the browser caches them). Sizes are of the files as served and as
//! gzip -9 would send them.

use std::path::Path;
use std::process::Command;

/// Raw and gzipped bytes of a set of files.
#[derive(Debug, Default, Clone, Copy)]
pub struct Size {
    pub raw: u64,
    pub gzipped: u64,
}

impl Size {
    fn of(path: &Path) -> Size {
        let raw = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
        let gzipped = Command::new("gzip")
            .args(["-9", "-c"])
            .arg(path)
            .output()
            .map(|o| o.stdout.len() as u64)
            .unwrap_or(0);
        Size { raw, gzipped }
    }

    fn plus(self, other: Size) -> Size {
        Size {
            raw: self.raw + other.raw,
            gzipped: self.gzipped + other.gzipped,
        }
    }

    pub fn describe(&self) -> String {
        format!(
            "raw_kb={:.0} gzip_kb={:.0}",
            self.raw as f64 / 1024.0,
            self.gzipped as f64 / 1024.0
        )
    }
}

pub struct Bundle {
    pub wasm: Size,
    pub script: Size,
}

impl Bundle {
    /// The whole app: what any page downloads.
    pub fn whole(&self) -> Size {
        self.wasm.plus(self.script)
    }
}

/// Measures the bundle in `pkg` (e.g. `target/site/pkg`).
pub fn measure(pkg: &Path) -> std::io::Result<Bundle> {
    let wasm = pkg.join("tenantry.wasm");
    if !wasm.exists() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::NotFound,
            format!("{} is missing: build the release first", wasm.display()),
        ));
    }
    Ok(Bundle {
        wasm: Size::of(&wasm),
        script: Size::of(&pkg.join("tenantry.js")),
    })
}
