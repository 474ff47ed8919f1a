//! The inputs of a batch: the supported files of a folder, or the lines of a list file.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use cloud_ocr::{Error, Format, Request};

use super::scan::is_url;

/// One input of a batch.
#[derive(Debug, Clone, PartialEq)]
pub struct Input {
    /// The key in the journal: the absolute path, or the URL.
    pub key: String,
    /// As shown to the person and in JSON output: the path as found, or the URL.
    pub display: String,
    /// The file name the result file is named after.
    pub file_name: String,
}

impl Input {
    /// The request for this input.
    pub fn request(&self) -> Result<Request, Error> {
        if is_url(&self.key) {
            Request::from_url(&self.key)
        } else {
            Ok(Request::from_path(&self.key))
        }
    }
}

fn absolute(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| {
        std::env::current_dir()
            .map(|cwd| cwd.join(path))
            .unwrap_or_else(|_| path.to_path_buf())
    })
}

fn path_input(path: &Path) -> Input {
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "document".to_owned());
    Input {
        key: absolute(path).to_string_lossy().into_owned(),
        display: path.to_string_lossy().into_owned(),
        file_name,
    }
}

fn url_input(text: &str) -> Result<Input, Error> {
    let request = Request::from_url(text)?;
    let file_name = request
        .source
        .file_name()
        .unwrap_or_else(|| "document".to_owned());
    Ok(Input {
        key: text.to_owned(),
        display: text.to_owned(),
        file_name,
    })
}

/// The inputs `target` names: the files of a folder whose extension is one of `formats`
/// (hidden files and anything inside `out_dir` left out; sub-folders with `recursive`), or
/// the lines of a list file (blank lines and `#` comments skipped). Sorted by path for a
/// folder, in file order for a list; duplicates dropped.
///
/// Also returns how many files of a folder were left out because the provider does not read
/// their type. A document given instead of a folder or a list is refused with a hint.
pub fn collect(
    target: &Path,
    recursive: bool,
    formats: &[Format],
    out_dir: &Path,
) -> Result<(Vec<Input>, usize), Error> {
    let meta = std::fs::metadata(target).map_err(|e| {
        Error::config(format!("cannot read {}: {e}", target.display())).with_field("input")
    })?;
    let mut unsupported = 0;
    let mut inputs = if meta.is_dir() {
        let out_abs = absolute(out_dir);
        let mut files = Vec::new();
        walk(
            target,
            recursive,
            formats,
            &out_abs,
            &mut files,
            &mut unsupported,
        )?;
        files.sort();
        files.iter().map(|p| path_input(p)).collect()
    } else {
        // A list is text; a document is told by its content (magic bytes).
        let document = std::fs::read(target)
            .ok()
            .and_then(|head| Format::detect(&head[..head.len().min(64)], None))
            .is_some();
        if recursive && !document {
            return Err(Error::config(format!(
                "--recursive looks in sub-folders, and {} is a list file: give its folder, \
                 or drop --recursive",
                target.display()
            ))
            .with_field("recursive"));
        }
        if document {
            return Err(Error::config(format!(
                "{} is a document: batch expects a folder or a list file (one path or URL per \
                 line); `cloud-ocr scan {}` recognises one document",
                target.display(),
                target.display()
            ))
            .with_field("input"));
        }
        from_list(target)?
    };
    let mut seen = HashSet::new();
    inputs.retain(|i: &Input| seen.insert(i.key.clone()));
    Ok((inputs, unsupported))
}

fn walk(
    dir: &Path,
    recursive: bool,
    formats: &[Format],
    out_abs: &Path,
    files: &mut Vec<PathBuf>,
    unsupported: &mut usize,
) -> Result<(), Error> {
    let entries = std::fs::read_dir(dir).map_err(|e| {
        Error::config(format!("cannot list {}: {e}", dir.display())).with_field("input")
    })?;
    let is_out_dir = absolute(dir) == out_abs;
    for entry in entries {
        let entry = entry.map_err(|e| {
            Error::config(format!("cannot list {}: {e}", dir.display())).with_field("input")
        })?;
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        let kind_is_dir = kind.is_dir() || (kind.is_symlink() && path.is_dir());
        if kind_is_dir {
            if recursive && absolute(&path) != out_abs {
                walk(&path, recursive, formats, out_abs, files, unsupported)?;
            }
            continue;
        }
        if is_out_dir {
            continue;
        }
        if Format::from_file_name(&name).is_some_and(|f| formats.contains(&f)) {
            files.push(path);
        } else {
            *unsupported += 1;
        }
    }
    Ok(())
}

fn from_list(list: &Path) -> Result<Vec<Input>, Error> {
    let text = std::fs::read_to_string(list).map_err(|e| {
        Error::config(format!("cannot read the list file {}: {e}", list.display()))
            .with_field("input")
    })?;
    let base = list.parent().unwrap_or(Path::new(""));
    let mut inputs = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if is_url(line) {
            inputs.push(url_input(line).map_err(|e| {
                Error::config(format!("{}:{}: {}", list.display(), n + 1, e.message()))
                    .with_field("input")
            })?);
        } else {
            let path = Path::new(line);
            let path = if path.is_absolute() {
                path.to_path_buf()
            } else {
                base.join(path)
            };
            inputs.push(path_input(&path));
        }
    }
    Ok(inputs)
}

/// The result file name of each input, `<file name>.<ext>`, made unique (`<file name>~2.<ext>`
/// …) among themselves and the names in `taken`. Inputs already done keep the name in
/// `fixed`.
pub fn output_names(
    inputs: &[Input],
    ext: &str,
    fixed: &dyn Fn(&Input) -> Option<String>,
    taken: &HashSet<String>,
) -> Vec<String> {
    let mut used: HashSet<String> = taken.clone();
    let mut names = vec![String::new(); inputs.len()];
    for (i, input) in inputs.iter().enumerate() {
        if let Some(name) = fixed(input) {
            used.insert(name.clone());
            names[i] = name;
        }
    }
    for (i, input) in inputs.iter().enumerate() {
        if !names[i].is_empty() {
            continue;
        }
        let mut name = format!("{}.{ext}", input.file_name);
        let mut n = 2;
        while used.contains(&name) {
            name = format!("{}~{n}.{ext}", input.file_name);
            n += 1;
        }
        used.insert(name.clone());
        names[i] = name;
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    fn touch(path: &Path) {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(path, b"x").unwrap();
    }

    #[test]
    fn a_folder_gives_its_supported_files_sorted_and_skips_hidden_and_output() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for name in [
            "b.png",
            "a.PDF",
            "c.exe",
            ".hidden.png",
            "sub/d.jpg",
            "out/e.png",
        ] {
            touch(&root.join(name));
        }
        let formats = [Format::Png, Format::Pdf, Format::Jpeg];
        let (flat, unsupported) = collect(root, false, &formats, &root.join("out")).unwrap();
        let names: Vec<&str> = flat.iter().map(|i| i.file_name.as_str()).collect();
        assert_eq!(names, ["a.PDF", "b.png"]);
        assert_eq!(unsupported, 1, "c.exe");
        let (deep, _) = collect(root, true, &formats, &root.join("out")).unwrap();
        let names: Vec<&str> = deep.iter().map(|i| i.file_name.as_str()).collect();
        assert_eq!(names, ["a.PDF", "b.png", "d.jpg"]);
        assert!(Path::new(&deep[0].key).is_absolute());
    }

    #[test]
    fn a_list_file_gives_paths_relative_to_it_and_urls() {
        let dir = tempfile::tempdir().unwrap();
        touch(&dir.path().join("docs/a.png"));
        let list = dir.path().join("list.txt");
        std::fs::write(
            &list,
            "# inputs\n\ndocs/a.png\nhttps://example.com/scans/b.pdf?sig=1\ndocs/a.png\n",
        )
        .unwrap();
        let (inputs, _) = collect(&list, false, &[], dir.path()).unwrap();
        assert_eq!(inputs.len(), 2);
        assert_eq!(inputs[0].file_name, "a.png");
        assert!(inputs[0].key.ends_with("a.png"));
        assert_eq!(inputs[1].file_name, "b.pdf");
        assert!(inputs[1].request().is_ok());
    }

    #[test]
    fn output_names_are_unique_and_stable() {
        let input = |key: &str, name: &str| Input {
            key: key.into(),
            display: key.into(),
            file_name: name.into(),
        };
        let inputs = [
            input("/a/x.png", "x.png"),
            input("/b/x.png", "x.png"),
            input("/c/y.png", "y.png"),
        ];
        let fixed = |i: &Input| (i.key == "/c/y.png").then(|| "y.png.txt".to_owned());
        let taken: HashSet<String> = ["x.png.txt".to_owned()].into();
        let names = output_names(&inputs, "txt", &fixed, &taken);
        assert_eq!(names, ["x.png~2.txt", "x.png~3.txt", "y.png.txt"]);
    }

    #[test]
    fn a_missing_target_is_a_usage_error() {
        let err = collect(Path::new("/no/such/dir"), false, &[], Path::new("out")).unwrap_err();
        assert_eq!(err.kind(), cloud_ocr::ErrorKind::Config);
    }
}
