//! The `jiqun` binary as an operator runs it: exit codes and messages.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn jiqun(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_jiqun"))
        .args(args)
        .env_remove("JIQUN_DATABASE_URL")
        .output()
        .unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn tempdir(tag: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("jiqun-cli-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn help_lists_every_subcommand() {
    let o = jiqun(&["--help"]);
    assert!(o.status.success());
    for cmd in [
        "serve", "demo", "migrate", "user", "calendar", "backup", "evaluate", "generate",
    ] {
        assert!(stdout(&o).contains(cmd), "missing {cmd} in help");
    }
}

#[test]
fn calendar_workdays_counts_official_working_days() {
    // A five-working-day public notice starting on Monday 2024-09-23 ends that Friday.
    let o = jiqun(&[
        "calendar",
        "workdays",
        "--from",
        "2024-09-23",
        "--count",
        "5",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o).trim(), "2024-09-27");
    // Starting on Friday 2024-09-27: Sun 09-29 is a 调休 working day, 10-01..07 are off.
    let o = jiqun(&[
        "calendar",
        "workdays",
        "--from",
        "2024-09-27",
        "--count",
        "5",
    ]);
    assert_eq!(stdout(&o).trim(), "2024-10-09");
    // From a Saturday the period starts on the next working day.
    let o = jiqun(&[
        "calendar",
        "workdays",
        "--from",
        "2024-09-21",
        "--count",
        "1",
    ]);
    assert_eq!(stdout(&o).trim(), "2024-09-23");
}

#[test]
fn calendar_errors_say_what_is_wrong() {
    let o = jiqun(&[
        "calendar",
        "workdays",
        "--from",
        "2024-02-30",
        "--count",
        "5",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("2024-02-30") && stderr(&o).contains("YYYY-MM-DD"),
        "{}",
        stderr(&o)
    );
    let o = jiqun(&[
        "calendar",
        "workdays",
        "--from",
        "2027-03-01",
        "--count",
        "5",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("2027"), "{}", stderr(&o));
    let o = jiqun(&[
        "calendar",
        "workdays",
        "--from",
        "2024-09-23",
        "--count",
        "0",
    ]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn unusable_data_directory_is_a_clear_error() {
    let d = tempdir("datadir");
    let file = d.join("not-a-dir");
    std::fs::write(&file, "x").unwrap();
    let o = jiqun(&["migrate", "--data-dir", file.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(stderr(&o).contains("不是目录"), "{}", stderr(&o));
    assert!(!stderr(&o).contains("panicked"));
    let o = jiqun(&["migrate", "--data-dir", "/proc/jiqun-cannot-exist"]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(stderr(&o).contains("数据目录"), "{}", stderr(&o));
    let _ = std::fs::remove_dir_all(d);
}

#[test]
fn migrate_then_user_add_then_backup() {
    let d = tempdir("ops");
    let dir = d.to_str().unwrap();
    let o = jiqun(&["migrate", "--data-dir", dir]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("行政区划"));
    let o = jiqun(&["migrate", "--data-dir", dir]);
    assert!(stdout(&o).contains("无需迁移"));

    // No such organisation yet.
    let o = jiqun(&[
        "user",
        "add",
        "--data-dir",
        dir,
        "--org",
        "MIIT",
        "--role",
        "ministry",
        "--name",
        "wang",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("MIIT"), "{}", stderr(&o));

    // Seed an organisation through the demo seeder's database? Use the demo itself instead.
    let demo_dir = d.join("demo");
    let o = jiqun(&[
        "demo",
        "--no-serve",
        "--data-dir",
        demo_dir.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("宁波市经济和信息化局"));
    let demo = demo_dir.to_str().unwrap();

    // Generated password, printed once.
    let o = jiqun(&[
        "user",
        "add",
        "--data-dir",
        demo,
        "--org",
        "330200",
        "--role",
        "province",
        "--name",
        "ningbo2",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("初始密码"));
    // Weak password from stdin: refused, nothing created.
    let mut child = Command::new(env!("CARGO_BIN_EXE_jiqun"))
        .args([
            "user",
            "add",
            "--data-dir",
            demo,
            "--org",
            "330200",
            "--role",
            "province",
            "--name",
            "ningbo3",
            "--password-stdin",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"short\n").unwrap();
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("12"), "{}", stderr(&o));
    // A role that does not fit the organisation.
    let o = jiqun(&[
        "user",
        "add",
        "--data-dir",
        demo,
        "--org",
        "330200",
        "--role",
        "county",
        "--name",
        "x1",
    ]);
    assert_eq!(o.status.code(), Some(2));
    // Unknown role: clap lists the choices.
    let o = jiqun(&[
        "user",
        "add",
        "--data-dir",
        demo,
        "--org",
        "330200",
        "--role",
        "admin",
        "--name",
        "x2",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("sysadmin"), "{}", stderr(&o));

    let out = d.join("backup.db");
    let o = jiqun(&["backup", "--data-dir", demo, "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(out.exists());
    let o = jiqun(&["backup", "--data-dir", demo, "--out", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("已存在"));
    let _ = std::fs::remove_dir_all(d);
}
