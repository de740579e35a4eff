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
        "serve", "demo", "migrate", "user", "calendar", "backup", "evaluate", "generate", "token",
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

    // The assessment report of the demo data (issue 7 item 3, 第十六条): the .docx with its
    // chart pictures (stored zip entries, so names and PNG signatures appear as bytes), and
    // the appendix beside it by default.
    let out = demo_dir.join("评估报告.docx");
    let o = jiqun(&[
        "report",
        "assessment",
        "--year",
        "2024",
        "--data-dir",
        demo,
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let has = |hay: &[u8], needle: &[u8]| hay.windows(needle.len()).any(|w| w == needle);
    let docx = std::fs::read(&out).unwrap();
    assert!(has(&docx, b"word/media/image1.png") && has(&docx, b"\x89PNG\r\n\x1a\n"));
    assert!(has(
        &docx,
        "2024年度中小企业特色产业集群发展评估报告".as_bytes()
    ));
    let xlsx = std::fs::read(demo_dir.join("评估报告.xlsx")).unwrap();
    assert_eq!(&xlsx[..2], b"PK");
    let o = jiqun(&[
        "report",
        "assessment",
        "--year",
        "2024",
        "--data-dir",
        demo,
        "--out",
        out.to_str().unwrap(),
        "--appendix",
        demo_dir.join("附件.txt").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("--appendix"), "{}", stderr(&o));

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

/// Issue 5 item 7 / SPEC §5: two `jiqun serve` processes on one PostgreSQL database share
/// the job queue, and each of 300 reminders is sent exactly once (docs/scheduler.md).
#[test]
fn two_servers_on_one_postgres_send_each_reminder_once() {
    use jiqun_store::jobs;
    use jiqun_store::orgs::{self, NewOrg, OrgKind};
    use jiqun_store::testing::{TestDb, postgres_admin_url};
    use std::collections::{HashMap, HashSet};
    use std::io::{BufRead, BufReader};
    use std::process::Child;
    use std::time::{Duration, Instant};

    const REMINDERS: usize = 300;

    /// Kills the servers this test started, whatever happens.
    struct Servers(Vec<Child>);
    impl Drop for Servers {
        fn drop(&mut self) {
            for c in &mut self.0 {
                let _ = c.kill();
                let _ = c.wait();
            }
        }
    }

    let Some(admin_url) = postgres_admin_url() else {
        eprintln!(
            "PostgreSQL not available: two_servers_on_one_postgres_send_each_reminder_once skipped"
        );
        return;
    };
    let rt = tokio::runtime::Runtime::new().unwrap();
    let t = rt.block_on(TestDb::postgres(&admin_url)).unwrap();
    let org_id = rt.block_on(async {
        let now = chrono::Utc::now();
        jiqun_store::migrate::run(&t.db, now).await.unwrap();
        jiqun_store::reference::sync(&t.db).await.unwrap();
        let mut conn = t.db.acquire().await.unwrap();
        orgs::insert(
            &mut conn,
            &NewOrg {
                code: "320581",
                name: "常熟市工业和信息化局",
                kind: OrgKind::County,
                division_code: Some("320581"),
                authority_code: Some("320000"),
            },
            now,
        )
        .await
        .unwrap()
        .id
    });

    // Both nodes up (and polling every 50 ms) before the jobs appear, so both get work.
    let d = tempdir("two-nodes");
    let mut servers = Servers(Vec::new());
    let (ready_tx, ready_rx) = std::sync::mpsc::channel::<String>();
    for node in ["A", "B"] {
        let log = std::fs::File::create(d.join(format!("{node}.log"))).unwrap();
        let mut child = Command::new(env!("CARGO_BIN_EXE_jiqun"))
            .args([
                "serve",
                "--database-url",
                &t.url,
                "--data-dir",
                d.join(node).to_str().unwrap(),
                "--bind",
                "127.0.0.1:0",
                "--node-id",
                node,
                "--scheduler-interval-ms",
                "50",
            ])
            .env_remove("JIQUN_DATABASE_URL")
            .env_remove("JIQUN_NO_SCHEDULER")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::from(log))
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        servers.0.push(child);
        let tx = ready_tx.clone();
        let node = node.to_string();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if line.contains("jiqun 已启动") {
                    let _ = tx.send(node.clone());
                }
            }
        });
    }
    let logs = || {
        ["A", "B"]
            .iter()
            .map(|n| std::fs::read_to_string(d.join(format!("{n}.log"))).unwrap_or_default())
            .collect::<Vec<_>>()
            .join("\n----\n")
    };
    let mut up = HashSet::new();
    while up.len() < 2 {
        match ready_rx.recv_timeout(Duration::from_secs(60)) {
            Ok(node) => {
                up.insert(node);
            }
            Err(_) => panic!("servers did not start: {}", logs()),
        }
    }

    rt.block_on(async {
        let now = chrono::Utc::now();
        let mut tx = t.db.begin().await.unwrap();
        for i in 0..REMINDERS {
            let key = format!("reminder:test:{i}");
            let payload = serde_json::json!({
                "org_code": "320581",
                "kind": "scheduler_test",
                "title": "年度报告提醒",
                "body": key,
                "link": "/inbox",
            });
            assert!(
                jobs::enqueue(&mut tx, "notify", &key, now, &payload, now)
                    .await
                    .unwrap()
            );
        }
        tx.commit().await.unwrap();
    });

    let started = Instant::now();
    loop {
        let c = rt.block_on(async {
            let mut conn = t.db.acquire().await.unwrap();
            jobs::counts(&mut conn).await.unwrap()
        });
        if c.pending == 0 && c.running == 0 {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "jobs left after 60 s: {c:?}\n{}",
            logs()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    drop(servers);

    rt.block_on(async {
        let mut conn = t.db.acquire().await.unwrap();
        let inbox = jiqun_store::notifications::inbox(&mut conn, org_id, 10_000)
            .await
            .unwrap();
        let bodies: Vec<&String> = inbox
            .iter()
            .filter(|n| n.kind == "scheduler_test")
            .map(|n| &n.body)
            .collect();
        assert_eq!(bodies.len(), REMINDERS, "{}", logs());
        let distinct: HashSet<&&String> = bodies.iter().collect();
        assert_eq!(distinct.len(), REMINDERS, "a reminder was sent twice");

        let all = jobs::list(&mut conn, None, 10_000).await.unwrap();
        assert!(all.len() > REMINDERS, "the daily sweep was enqueued too");
        let not_done: Vec<_> = all.iter().filter(|j| j.status != "done").collect();
        assert!(not_done.is_empty(), "{not_done:?}");
        let mut by_node: HashMap<String, usize> = HashMap::new();
        for j in all.iter().filter(|j| j.kind == "notify") {
            *by_node
                .entry(j.finished_by.clone().unwrap_or_default())
                .or_default() += 1;
        }
        eprintln!("reminders run per node: {by_node:?}");
        assert_eq!(by_node.values().sum::<usize>(), REMINDERS);
        assert!(
            by_node.get("A").copied().unwrap_or(0) > 0
                && by_node.get("B").copied().unwrap_or(0) > 0,
            "both nodes should have run jobs: {by_node:?}"
        );
        assert_eq!(by_node.len(), 2, "{by_node:?}");
    });
    drop(t);
    let _ = std::fs::remove_dir_all(d);
}

// ---------------------------------------------------------------------------------------
// Excel templates, export and import (docs/excel.md).

fn example_declaration() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/declaration-eligible.json")
}

#[test]
fn excel_template_export_and_import_give_back_the_same_json() {
    let d = tempdir("excel");
    let template = d.join("template.xlsx");
    let o = jiqun(&["export", "template", "--out", template.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(std::fs::read(&template).unwrap().starts_with(b"PK\x03\x04"));

    // Fill the template's sheets from a declaration, import, compare.
    let example = example_declaration();
    let filled = d.join("filled.xlsx");
    let o = jiqun(&[
        "export",
        "declaration",
        example.to_str().unwrap(),
        "--out",
        filled.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = d.join("out.json");
    let o = jiqun(&[
        "import",
        filled.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let want =
        jiqun_domain::criteria::parse_declaration(&std::fs::read_to_string(&example).unwrap())
            .unwrap();
    let got_text = std::fs::read_to_string(&out).unwrap();
    let got = jiqun_domain::criteria::parse_declaration(&got_text).unwrap();
    assert_eq!(got, want);
    let got_json: serde_json::Value = serde_json::from_str(&got_text).unwrap();
    assert_eq!(got_json, jiqun_domain::generate::to_json(&want).unwrap());

    // Without --out the JSON goes to standard output; the file evaluates as it is.
    let o = jiqun(&["import", filled.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let printed: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(printed, got_json);
    let o = jiqun(&["evaluate", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let _ = std::fs::remove_dir_all(d);
}

#[test]
fn excel_import_of_a_broken_file_exits_2_and_writes_nothing() {
    let d = tempdir("excel-broken");
    let out = d.join("out.json");
    // A CSV renamed to .xlsx.
    let csv = d.join("roster.xlsx");
    std::fs::write(&csv, "统一社会信用代码,企业名称\n91330784MA2001037D,甲\n").unwrap();
    let o = jiqun(&[
        "import",
        csv.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("不是 xlsx 文件"), "{}", stderr(&o));
    assert!(!out.exists());

    // The blank template: every empty required field is listed, one per line.
    let template = d.join("annual.xlsx");
    let o = jiqun(&[
        "export",
        "template",
        "--kind",
        "annual",
        "--out",
        template.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = jiqun(&[
        "import",
        template.to_str().unwrap(),
        "--kind",
        "annual",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.lines()
            .any(|l| l == "集群信息 第3行 B列「报告年度」：必填项未填写"),
        "{err}"
    );
    assert!(
        err.lines()
            .any(|l| l == "集群信息 第6行 B列「集群名称」：必填项未填写"),
        "{err}"
    );
    assert!(!out.exists());
    let _ = std::fs::remove_dir_all(d);
}

#[test]
fn load_generated_fills_an_empty_database_once_and_the_report_reads_it() {
    let d = tempdir("load");
    let dir = d.to_str().unwrap();
    let o = jiqun(&[
        "load-generated",
        "--data-dir",
        dir,
        "--clusters",
        "4",
        "--enterprises",
        "5",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    // Two clusters in the 2022 batch (reports 2023–2025), two in 2024 (report 2025).
    assert!(
        stdout(&o).contains("已写入 4 个认定集群（每个 5 家企业、5 年数据）和 8 份年度报告"),
        "{}",
        stdout(&o)
    );
    assert!(stderr(&o).contains("已写入 4/4 个集群"), "{}", stderr(&o));

    // A second load into the same database is refused and writes nothing.
    let o = jiqun(&["load-generated", "--data-dir", dir, "--clusters", "1"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("已有集群"), "{}", stderr(&o));

    let o = jiqun(&["load-generated", "--data-dir", dir, "--years", "2"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--years"), "{}", stderr(&o));

    let out = d.join("report.docx");
    let o = jiqun(&[
        "report",
        "assessment",
        "--year",
        "2025",
        "--data-dir",
        dir,
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(std::fs::metadata(&out).unwrap().len() > 1000);
}

/// `jiqun token create` (docs/api.md): the secret is printed once, only its hash is kept,
/// the creation is audited; a bad scope, a lifetime over 365 days, an unknown account or an
/// account without a jurisdiction is refused with exit code 2 and nothing is created.
#[test]
fn token_create_prints_the_secret_once_and_audits() {
    let d = tempdir("token");
    let demo = d.join("demo");
    let demo = demo.to_str().unwrap();
    let o = jiqun(&["demo", "--no-serve", "--data-dir", demo]);
    assert!(o.status.success(), "{}", stderr(&o));
    let create = |user: &str, scope: &str, days: &str| {
        jiqun(&[
            "token",
            "create",
            "--data-dir",
            demo,
            "--user",
            user,
            "--scope",
            scope,
            "--days",
            days,
            "--name",
            "省平台同步",
        ])
    };
    for (user, scope, days, field) in [
        ("ningbo", "admin", "30", "--scope"),
        ("ningbo", "read", "366", "--days"),
        ("ningbo", "read", "0", "--days"),
        ("nobody", "read", "30", "--user"),
        ("expert-zhao", "read", "30", "--user"),
    ] {
        let o = create(user, scope, days);
        assert_eq!(
            o.status.code(),
            Some(2),
            "{user} {scope} {days}: {}",
            stderr(&o)
        );
        assert!(stderr(&o).contains(field), "{}", stderr(&o));
        assert!(!stdout(&o).contains("jqt_"));
    }
    let o = create("ningbo", "read", "365");
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    let secret = out
        .lines()
        .find(|l| l.starts_with("jqt_"))
        .expect("secret printed")
        .trim()
        .to_string();
    assert_eq!(secret.len(), 4 + 64, "{secret}");
    assert!(out.contains("宁波市") && out.contains("只读"), "{out}");

    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let url = jiqun_store::Db::sqlite_url(&std::path::Path::new(demo).join("jiqun.db"));
        let db = jiqun_store::Db::connect(&url).await.unwrap();
        let mut conn = db.acquire().await.unwrap();
        let t = jiqun_store::tokens::by_hash(&mut conn, &jiqun_web::auth::token_hash(&secret))
            .await
            .unwrap()
            .expect("stored by its hash");
        assert_eq!(t.scope, jiqun_store::tokens::TokenScope::Read);
        assert_eq!((t.expires_at - t.created_at).num_days(), 365);
        // Only one token was created by all the calls above.
        let ningbo = jiqun_store::orgs::by_code(&mut conn, "330200")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            jiqun_store::tokens::list_for_org(&mut conn, ningbo.id)
                .await
                .unwrap()
                .len(),
            1
        );
        let events = jiqun_store::audit::for_object(&mut conn, "api_token", &t.id.to_string())
            .await
            .unwrap();
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].action, "api_token_create");
        let detail: serde_json::Value = serde_json::from_str(&events[0].detail).unwrap();
        assert_eq!(detail["via"], "cli");
        drop(conn);
        db.close().await;
    });
    let _ = std::fs::remove_dir_all(d);
}
