//! Hostile workbooks are refused before the engine sees them (issue 15): a ~13 KB `.xlsx`
//! nesting XML 100,000 levels deep, a zip bomb and millions of shared strings each get a
//! 4xx from the upload, and the emulator process (the real binary, spawned) keeps its peak
//! memory (`VmHWM`) under 512 MB throughout. The files are built here, by hand: the
//! compressed streams are repeated deflate blocks, so building them costs no compression
//! time.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};

use flate2::{Compress, Compression, FlushCompress};

struct Child(std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn spawn() -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_cspark-emulator"))
        .args(["--addr", "127.0.0.1:0", "--api-key", "k1"])
        .current_dir(std::env::temp_dir())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("binary starts");
    let stdout = child.stdout.take().unwrap();
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).unwrap();
    let url = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap()
        .to_string();
    (Child(child), url)
}

/// Peak resident memory of a process, in bytes (`VmHWM` of `/proc/{pid}/status`).
fn peak_rss(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let kb: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap();
    kb * 1024
}

/// Raw deflate of `piece` repeated `times` times: `piece` compressed once into complete,
/// byte-aligned blocks (a sync flush), those bytes repeated. Valid because each copy
/// refers only to bytes of its own copy.
fn repeated_blocks(piece: &[u8], times: usize) -> Vec<u8> {
    let mut c = Compress::new(Compression::best(), false);
    let mut once = Vec::with_capacity(piece.len() + 1024);
    c.compress_vec(piece, &mut once, FlushCompress::Sync)
        .unwrap();
    once.repeat(times)
}

/// One part of a package: its raw deflate stream, CRC and uncompressed size.
struct Part {
    name: String,
    deflated: Vec<u8>,
    crc: u32,
    size: u64,
}

/// A part made of `(piece, times)` segments, each piece repeated.
fn part(name: &str, segments: &[(&[u8], usize)]) -> Part {
    let mut deflated = Vec::new();
    let mut crc = flate2::Crc::new();
    for (piece, times) in segments {
        deflated.extend(repeated_blocks(piece, *times));
        let mut one = flate2::Crc::new();
        one.update(piece);
        for _ in 0..*times {
            crc.combine(&one);
        }
    }
    deflated.extend([0x03, 0x00]); // a final, empty fixed-Huffman block
    Part {
        name: name.into(),
        deflated,
        crc: crc.sum(),
        size: crc.amount() as u64,
    }
}

/// A zip archive of deflated parts (local headers, central directory, end record).
fn zip(parts: &[Part]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for p in parts {
        let offset = out.len() as u32;
        let fields = |out: &mut Vec<u8>| {
            out.extend(20u16.to_le_bytes()); // version needed
            out.extend(0u16.to_le_bytes()); // flags
            out.extend(8u16.to_le_bytes()); // deflate
            out.extend(0u32.to_le_bytes()); // time, date
            out.extend(p.crc.to_le_bytes());
            out.extend((p.deflated.len() as u32).to_le_bytes());
            out.extend((p.size as u32).to_le_bytes());
            out.extend((p.name.len() as u16).to_le_bytes());
            out.extend(0u16.to_le_bytes()); // extra length
        };
        out.extend(0x0403_4b50u32.to_le_bytes());
        fields(&mut out);
        out.extend(p.name.as_bytes());
        out.extend(&p.deflated);
        central.extend(0x0201_4b50u32.to_le_bytes());
        central.extend(20u16.to_le_bytes()); // made by
        fields(&mut central);
        central.extend([0u8; 10]); // comment length, disk, internal and external attributes
        central.extend(offset.to_le_bytes());
        central.extend(p.name.as_bytes());
    }
    let cd_offset = out.len() as u32;
    out.extend(&central);
    out.extend(0x0605_4b50u32.to_le_bytes());
    out.extend([0u8; 4]); // disk numbers
    out.extend((parts.len() as u16).to_le_bytes());
    out.extend((parts.len() as u16).to_le_bytes());
    out.extend((central.len() as u32).to_le_bytes());
    out.extend(cd_offset.to_le_bytes());
    out.extend(0u16.to_le_bytes());
    out
}

/// The demo cylinder's parts (so every hostile file is otherwise a real workbook), with
/// `replace` swapped in or added.
fn workbook_with(replace: Part) -> Vec<u8> {
    let demo = cspark_emulator::demo::workbook("demo", "volume-cylinder").unwrap();
    let mut archive = ::zip::ZipArchive::new(std::io::Cursor::new(demo.bytes)).unwrap();
    let mut parts = Vec::new();
    for i in 0..archive.len() {
        let mut file = archive.by_index(i).unwrap();
        let name = file.name().unwrap().into_owned();
        if name == replace.name {
            continue;
        }
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes).unwrap();
        parts.push(part(&name, &[(&bytes, 1)]));
    }
    parts.push(replace);
    zip(&parts)
}

async fn upload(url: &str, bytes: Vec<u8>) -> (u16, String) {
    let form = reqwest::multipart::Form::new().part(
        "serviceFile",
        reqwest::multipart::Part::bytes(bytes).file_name("hostile.xlsx"),
    );
    let res = reqwest::Client::new()
        .post(format!(
            "{url}/my-tenant/api/v3/folders/f/services/s/upload"
        ))
        .header("x-synthetic-key", "k1")
        .multipart(form)
        .send()
        .await
        .unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

#[tokio::test]
async fn hostile_workbooks_get_a_4xx_and_memory_stays_bounded() {
    let (child, url) = spawn();
    let pid = child.0.id();

    // 100,000 nested elements in the first sheet: a few KB compressed.
    let sheet = "xl/worksheets/sheet1.xml";
    let deep = workbook_with(part(
        sheet,
        &[
            (b"<worksheet><sheetData>", 1),
            (&b"<row>".repeat(1000), 100),
            (&b"</row>".repeat(1000), 100),
            (b"</sheetData></worksheet>", 1),
        ],
    ));
    assert!(deep.len() < 32 * 1024, "{} bytes", deep.len());

    // A first sheet of 640 MiB (blanks between its elements) in about 1 MB.
    let bomb = workbook_with(part(
        sheet,
        &[
            (b"<worksheet><sheetData>", 1),
            (&[b' '; 1 << 20], 640),
            (b"</sheetData></worksheet>", 1),
        ],
    ));
    assert!(bomb.len() < 2 * 1024 * 1024, "{} bytes", bomb.len());

    // Seven million shared strings, 119 MB of XML (under the size limit), in under 1 MB.
    let strings = workbook_with(part(
        "xl/sharedStrings.xml",
        &[
            (
                b"<sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">",
                1,
            ),
            (&b"<si><t>x</t></si>".repeat(1000), 7_000),
            (b"</sst>", 1),
        ],
    ));

    for (what, file, needle) in [
        ("deep XML", deep, "deeper than"),
        ("zip bomb", bomb, "uncompressed"),
        ("shared strings", strings, "shared strings"),
    ] {
        let (status, body) = upload(&url, file).await;
        assert!((400..500).contains(&status), "{what}: {status} {body}");
        assert!(body.contains(needle), "{what}: {body}");
    }
    // The emulator is still up and serves a real workbook.
    let demo = cspark_emulator::demo::workbook("demo", "volume-cylinder").unwrap();
    let (status, body) = upload(&url, demo.bytes.to_vec()).await;
    assert_eq!(status, 200, "{body}");
    let peak = peak_rss(pid);
    println!("peak RSS of the emulator: {} MiB", peak / (1024 * 1024));
    assert!(peak < 512 * 1024 * 1024, "peak RSS {peak} bytes");
}
