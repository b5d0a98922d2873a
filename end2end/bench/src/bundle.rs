//! What the browser downloads: the release build is split into a main
//! module (runtime, router, shell) and one chunk per page plus the chunks
//! pages share (`cargo leptos build --split`), listed per page in the split
//! manifest. Sizes are of the files as served and as gzip -9 would send them.

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
    /// Loaded by every page.
    pub main: Size,
    /// Main plus what one page loads, by page (the route's view name).
    pub pages: Vec<(String, Size)>,
    /// Every module and script of the app.
    pub whole: Size,
}

/// Measures the bundle in `pkg` (e.g. `target/site/pkg`).
pub fn measure(pkg: &Path) -> std::io::Result<Bundle> {
    let files: Vec<_> = std::fs::read_dir(pkg)?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| {
            matches!(
                path.extension().and_then(|e| e.to_str()),
                Some("wasm" | "js")
            )
        })
        .collect();
    let whole = files
        .iter()
        .fold(Size::default(), |sum, f| sum.plus(Size::of(f)));
    let main = files
        .iter()
        .filter(|f| {
            let name = f.file_name().and_then(|n| n.to_str()).unwrap_or("");
            name.starts_with("tenantry") || name.starts_with("__wasm_split")
        })
        .fold(Size::default(), |sum, f| sum.plus(Size::of(f)));

    let manifest: serde_json::Map<String, serde_json::Value> =
        match std::fs::read_to_string(pkg.join("__wasm_split_manifest.json")) {
            Ok(text) => serde_json::from_str(&text).map_err(std::io::Error::other)?,
            Err(_) => Default::default(),
        };
    let mut pages: Vec<(String, Size)> = manifest
        .iter()
        .map(|(split, chunks)| {
            let page = split
                .trim_start_matches('_')
                .split("_view")
                .next()
                .unwrap_or(split)
                .to_owned();
            let own = Size::of(&pkg.join(format!("split_{split}.wasm")));
            let shared = chunks
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|c| c.as_str())
                .map(|c| Size::of(&pkg.join(format!("{c}.wasm"))))
                .fold(Size::default(), Size::plus);
            (page, main.plus(own).plus(shared))
        })
        .collect();
    pages.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(Bundle { main, pages, whole })
}
