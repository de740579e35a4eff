//! `TestApp`: the real router on a fresh database (SQLite, or PostgreSQL when available),
//! driven request by request as a browser would, with a clock the test controls.

#![allow(dead_code)]

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use http_body_util::BodyExt;
use jiqun_domain::clock::FixedClock;
use jiqun_domain::role::Role;
use jiqun_store::batches::{self, Batch, NewBatch};
use jiqun_store::clusters::{self, NewCluster};
use jiqun_store::orgs::{self, NewOrg, OrgKind};
use jiqun_store::testing::TestDb;
use jiqun_store::{Backend, Db, migrate, users};
use jiqun_web::{AppState, WebConfig};
use std::sync::{Arc, OnceLock};
use tower::ServiceExt;

pub const PASSWORD: &str = "correct-horse-battery";

static FILES_SEQ: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// Runs the test body once per backend: `both!(fn_name)` makes `fn_name::sqlite` and
/// `fn_name::postgres`. The PostgreSQL variant needs a server; under CI
/// (`JIQUN_TEST_DATABASE_URL` set) a missing server is a failure, not a skip.
#[macro_export]
macro_rules! both {
    ($name:ident) => {
        mod $name {
            #[tokio::test]
            async fn sqlite() {
                super::$name($crate::support::TestApp::new(jiqun_store::Backend::Sqlite).await)
                    .await;
            }
            #[tokio::test]
            async fn postgres() {
                if jiqun_store::testing::postgres_admin_url().is_none() {
                    eprintln!("PostgreSQL not available: skipped");
                    return;
                }
                super::$name($crate::support::TestApp::new(jiqun_store::Backend::Postgres).await)
                    .await;
            }
        }
    };
}

pub struct TestApp {
    pub router: Router,
    pub db: Db,
    pub clock: Arc<FixedClock>,
    _tdb: TestDb,
}

pub struct Resp {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Resp {
    pub fn location(&self) -> Option<&str> {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
    }

    pub fn set_cookies(&self) -> Vec<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok().map(str::to_string))
            .collect()
    }

    /// Value of a cookie set by this response.
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.set_cookies().iter().find_map(|c| {
            let first = c.split(';').next()?;
            let (k, v) = first.split_once('=')?;
            (k == name).then(|| v.to_string())
        })
    }

    /// The value of the hidden `csrf` field of the page's first form.
    pub fn csrf_field(&self) -> Option<String> {
        let at = self.body.find("name=\"csrf\" value=\"")?;
        let rest = &self.body[at + "name=\"csrf\" value=\"".len()..];
        Some(rest[..rest.find('"')?].to_string())
    }
}

/// A logged-in browser: its session cookie and the CSRF token of its pages.
pub struct Browser {
    pub cookie: String,
    pub csrf: String,
}

fn password_hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| jiqun_web::auth::hash_password(PASSWORD).unwrap())
}

pub fn at(s: &str) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339(s)
        .unwrap()
        .with_timezone(&chrono::Utc)
}

impl TestApp {
    pub async fn new(backend: Backend) -> TestApp {
        let files_dir = std::env::temp_dir().join(format!(
            "jiqun-files-{}-{}",
            std::process::id(),
            FILES_SEQ.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        ));
        Self::with_config(
            backend,
            WebConfig {
                files_dir,
                ..WebConfig::default()
            },
        )
        .await
    }

    pub async fn with_config(backend: Backend, config: WebConfig) -> TestApp {
        let tdb = TestDb::new(backend).await.unwrap();
        let clock = Arc::new(FixedClock::new(at("2026-03-02T09:00:00+08:00")));
        migrate::run(&tdb.db, clock.now_utc()).await.unwrap();
        let state = AppState::new(tdb.db.clone(), clock.clone(), config);
        TestApp {
            router: jiqun_web::router(state),
            db: tdb.db.clone(),
            clock,
            _tdb: tdb,
        }
    }

    pub async fn org(&self, code: &str, name: &str, kind: OrgKind, authority: Option<&str>) -> i64 {
        let mut conn = self.db.acquire().await.unwrap();
        let division = match kind {
            OrgKind::Ministry | OrgKind::ExpertPool | OrgKind::Operator => None,
            _ => Some(code),
        };
        orgs::insert(
            &mut conn,
            &NewOrg {
                code,
                name,
                kind,
                division_code: division,
                authority_code: authority,
            },
            self.clock.now_utc(),
        )
        .await
        .unwrap()
        .id
    }

    pub async fn user(&self, username: &str, org_code: &str, role: Role) -> i64 {
        let mut conn = self.db.acquire().await.unwrap();
        let org = orgs::by_code(&mut conn, org_code).await.unwrap().unwrap();
        users::insert(
            &mut conn,
            &users::NewUser {
                username,
                display_name: username,
                org_id: org.id,
                password_hash: password_hash(),
                home_province: None,
                roles: &[role],
            },
            self.clock.now_utc(),
        )
        .await
        .unwrap()
        .id
    }

    pub async fn send(&self, req: Request<Body>) -> Resp {
        let resp = self.router.clone().oneshot(req).await.unwrap();
        let status = resp.status();
        let headers = resp.headers().clone();
        let bytes = resp.into_body().collect().await.unwrap().to_bytes();
        Resp {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    pub async fn get(&self, path: &str, cookie: Option<&str>) -> Resp {
        let mut req = Request::get(path);
        if let Some(c) = cookie {
            req = req.header(header::COOKIE, c);
        }
        self.send(req.body(Body::empty()).unwrap()).await
    }

    pub async fn post_form(&self, path: &str, form: &[(&str, &str)], cookie: Option<&str>) -> Resp {
        let body = form
            .iter()
            .map(|(k, v)| format!("{}={}", urlencode(k), urlencode(v)))
            .collect::<Vec<_>>()
            .join("&");
        let mut req =
            Request::post(path).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        if let Some(c) = cookie {
            req = req.header(header::COOKIE, c);
        }
        self.send(req.body(Body::from(body)).unwrap()).await
    }

    /// Opens the login page and submits it, as a browser would.
    pub async fn try_login(&self, username: &str, password: &str) -> Resp {
        let page = self.get("/login", None).await;
        let csrf = page.csrf_field().unwrap();
        let cookie = format!(
            "jiqun_login_csrf={}",
            page.cookie("jiqun_login_csrf").unwrap()
        );
        self.post_form(
            "/login",
            &[
                ("username", username),
                ("password", password),
                ("csrf", &csrf),
            ],
            Some(&cookie),
        )
        .await
    }

    pub async fn login(&self, username: &str) -> Browser {
        let resp = self.try_login(username, PASSWORD).await;
        assert_eq!(
            resp.status,
            StatusCode::SEE_OTHER,
            "login of {username} failed: {}",
            resp.body
        );
        let cookie = format!("jiqun_session={}", resp.cookie("jiqun_session").unwrap());
        let home = self.get("/", Some(&cookie)).await;
        assert_eq!(home.status, StatusCode::OK);
        Browser {
            csrf: home.csrf_field().unwrap(),
            cookie,
        }
    }
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

pub trait NowUtc {
    fn now_utc(&self) -> chrono::DateTime<chrono::Utc>;
}

impl NowUtc for FixedClock {
    fn now_utc(&self) -> chrono::DateTime<chrono::Utc> {
        jiqun_domain::clock::Clock::now(self)
    }
}

// ---- shared seeding ---------------------------------------------------------------------------

/// The national batch the tests open: the given year and title, edition 2022, not the first
/// batch, no deadlines, quotas 5 / 3, a 5-day notice, annual reports due 04-30. Change a
/// field with `NewBatch { …, ..national_batch(year, title) }`.
pub fn national_batch(year: i32, title: &str) -> NewBatch<'_> {
    NewBatch {
        level: "national",
        owner_authority: None,
        year,
        title,
        edition: "2022",
        first_batch: false,
        county_deadline: None,
        province_deadline: None,
        quota_default: 5,
        quota_small: 3,
        notice_days: 5,
        annual_report_due: "04-30",
    }
}

/// Inserts the batch, created now by the test clock.
pub async fn insert_batch(app: &TestApp, b: &NewBatch<'_>) -> Batch {
    let mut conn = app.db.acquire().await.unwrap();
    batches::insert(&mut conn, b, app.clock.now_utc())
        .await
        .unwrap()
}

/// An open 2022 national batch «2022年度中小企业特色产业集群» (`national_batch`); its id.
pub async fn open_2022_batch(app: &TestApp) -> i64 {
    insert_batch(app, &national_batch(2022, "2022年度中小企业特色产业集群"))
        .await
        .id
}

/// Inserts the cluster, created now by the test clock; its id.
pub async fn insert_cluster(app: &TestApp, c: &NewCluster<'_>) -> i64 {
    let mut conn = app.db.acquire().await.unwrap();
    clusters::insert(&mut conn, c, app.clock.now_utc())
        .await
        .unwrap()
        .id
}
