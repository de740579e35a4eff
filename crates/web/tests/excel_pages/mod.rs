//! Excel on the application pages (docs/excel.md): the blank template and the filled
//! declaration as downloads, and the upload that saves exactly as the JSON form does, or
//! lists every problem by sheet, row and column and saves nothing.

use crate::support::*;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use jiqun_domain::criteria::parse_declaration;
use jiqun_store::{Scope, applications};
use tower::ServiceExt;

const ELIGIBLE: &str = include_str!("../../../../examples/declaration-eligible.json");
const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

fn declaration_for(county: &str) -> String {
    let mut v: serde_json::Value = serde_json::from_str(ELIGIBLE).unwrap();
    v["cluster"]["county_code"] = serde_json::Value::from(county);
    serde_json::to_string_pretty(&v).unwrap()
}

/// A GET whose body stays bytes.
async fn get_bytes(
    app: &TestApp,
    path: &str,
    cookie: &str,
) -> (StatusCode, header::HeaderMap, Vec<u8>) {
    let req = Request::get(path)
        .header(header::COOKIE, cookie)
        .body(Body::empty())
        .unwrap();
    let resp = app.router.clone().oneshot(req).await.unwrap();
    let status = resp.status();
    let headers = resp.headers().clone();
    let bytes = resp
        .into_body()
        .collect()
        .await
        .unwrap()
        .to_bytes()
        .to_vec();
    (status, headers, bytes)
}

async fn upload(
    app: &TestApp,
    id: i64,
    b: &Browser,
    filename: &str,
    bytes: &[u8],
    csrf: &str,
) -> Resp {
    let boundary = "----jiqun-excel-boundary-3f9a";
    let mut body: Vec<u8> = Vec::new();
    body.extend_from_slice(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n")
            .as_bytes(),
    );
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"xlsx_file\"; filename=\"{filename}\"\r\nContent-Type: {XLSX}\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let req = Request::post(format!("/applications/{id}/declaration/xlsx"))
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        )
        .header(header::COOKIE, &b.cookie)
        .body(Body::from(body))
        .unwrap();
    app.send(req).await
}

async fn versions(app: &TestApp, id: i64) -> Vec<applications::Version> {
    let mut conn = app.db.acquire().await.unwrap();
    applications::versions(&mut conn, id).await.unwrap()
}

/// A draft application of 永康 in an open 2022 batch.
async fn draft(app: &TestApp) -> (i64, Browser) {
    let (_, yongkang, _) = crate::seed_yongkang(app).await;
    let batch = open_2022_batch(app).await;
    let county = app.login("yongkang").await;
    let r = app
        .post_form(
            "/applications",
            &[
                ("csrf", &county.csrf),
                ("cluster_id", &yongkang.to_string()),
                ("batch_id", &batch.to_string()),
            ],
            Some(&county.cookie),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let id: i64 = r
        .location()
        .unwrap()
        .trim_start_matches("/applications/")
        .trim_end_matches("/edit")
        .parse()
        .unwrap();
    (id, county)
}

async fn excel_download_and_upload(app: TestApp) {
    let (id, county) = draft(&app).await;
    let edit = app
        .get(&format!("/applications/{id}/edit"), Some(&county.cookie))
        .await;
    assert!(
        edit.body
            .contains(&format!("/applications/{id}/template.xlsx"))
    );
    assert!(edit.body.contains("name=\"xlsx_file\""));

    // The blank template: an xlsx with a Chinese file name.
    let (status, headers, bytes) = get_bytes(
        &app,
        &format!("/applications/{id}/template.xlsx"),
        &county.cookie,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers.get(header::CONTENT_TYPE).unwrap(), XLSX);
    let cd = headers
        .get(header::CONTENT_DISPOSITION)
        .unwrap()
        .to_str()
        .unwrap();
    assert!(cd.contains("filename*=UTF-8''%E9%9B%86%E7%BE%A4"), "{cd}"); // 集群…
    assert!(bytes.starts_with(b"PK"));
    let blank = bytes;
    // Another county does not see the application, nor its downloads.
    let ninghai = app.login("ninghai").await;
    let (status, _, _) = get_bytes(
        &app,
        &format!("/applications/{id}/template.xlsx"),
        &ninghai.cookie,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // The blank template uploaded as is: every problem by sheet, row and column, nothing saved.
    let before = versions(&app, id).await;
    let r = upload(&app, id, &county, "模板.xlsx", &blank, &county.csrf).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("Excel 文件有误，未导入"), "{}", r.body);
    assert!(r.body.contains("位置（工作表 行 列）"));
    assert!(r.body.contains("集群信息"), "{}", r.body);
    assert_eq!(versions(&app, id).await, before);
    // Not a workbook at all.
    let r = upload(
        &app,
        id,
        &county,
        "假的.xlsx",
        b"this is not a zip",
        &county.csrf,
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("整个文件"), "{}", r.body);
    assert_eq!(versions(&app, id).await, before);
    // Without the CSRF token: refused.
    let good =
        jiqun_xlsx::export_declaration(&parse_declaration(&declaration_for("330784")).unwrap())
            .unwrap();
    let r = upload(&app, id, &county, "申报.xlsx", &good, "wrong").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(versions(&app, id).await, before);

    // A declaration of another county: imported, but refused as the JSON form refuses it.
    let elsewhere =
        jiqun_xlsx::export_declaration(&parse_declaration(&declaration_for("330782")).unwrap())
            .unwrap();
    let r = upload(&app, id, &county, "申报.xlsx", &elsewhere, &county.csrf).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("cluster.county_code"), "{}", r.body);
    assert_eq!(versions(&app, id).await, before);

    // A good workbook: saved as the JSON form would save it; self-evaluation needed again.
    let r = upload(&app, id, &county, "申报.xlsx", &good, &county.csrf).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(
        r.location(),
        Some(format!("/applications/{id}?done=imported").as_str())
    );
    let after = versions(&app, id).await;
    let mut conn = app.db.acquire().await.unwrap();
    let a = applications::get(&mut conn, &Scope::National, id)
        .await
        .unwrap()
        .unwrap();
    drop(conn);
    let current = after
        .iter()
        .find(|v| v.version == a.current_version)
        .unwrap();
    assert_eq!(
        parse_declaration(&current.declaration).unwrap(),
        parse_declaration(&declaration_for("330784")).unwrap()
    );
    assert!(current.evaluation.is_none());
    let show = app
        .get(
            &format!("/applications/{id}?done=imported"),
            Some(&county.cookie),
        )
        .await;
    assert!(show.body.contains("已从 Excel 文件导入"));

    // The current declaration as a filled workbook, which reads back the same.
    let (status, headers, bytes) = get_bytes(
        &app,
        &format!("/applications/{id}/declaration.xlsx"),
        &county.cookie,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers.get(header::CONTENT_TYPE).unwrap(), XLSX);
    assert_eq!(
        jiqun_xlsx::import_declaration(&bytes).unwrap(),
        parse_declaration(&current.declaration).unwrap()
    );
}
crate::both!(excel_download_and_upload);

/// The shared strings of a workbook (every text cell).
fn xlsx_strings(bytes: &[u8]) -> String {
    use std::io::Read;
    let mut zip =
        zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).expect("a zip archive");
    let mut s = String::new();
    zip.by_name("xl/sharedStrings.xml")
        .unwrap()
        .read_to_string(&mut s)
        .unwrap();
    s
}

async fn exports(app: TestApp) {
    let id = crate::tokens::submitted_application(&app).await;
    let mut conn = app.db.acquire().await.unwrap();
    let a = applications::get(&mut conn, &Scope::National, id)
        .await
        .unwrap()
        .unwrap();
    drop(conn);
    let province = app.login("zhejiang").await;
    let ningbo = app.login("ningbo").await;
    // Recommended (the review steps are tested in county_province), so that the summary
    // table has a row.
    let mut conn = app.db.acquire().await.unwrap();
    sqlx::query("UPDATE applications SET state = 'recommended', rank = 1 WHERE id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await
        .unwrap();
    drop(conn);

    // 推荐汇总表 as .xlsx: the same columns as the CSV.
    let (status, headers, bytes) = get_bytes(
        &app,
        &format!("/province/batches/{}/summary/export.xlsx", a.batch_id),
        &province.cookie,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers.get(header::CONTENT_TYPE).unwrap(), XLSX);
    let strings = xlsx_strings(&bytes);
    assert!(strings.contains("推荐汇总表") && strings.contains("自评是否符合认定标准"));
    let csv = app
        .get(
            &format!("/province/batches/{}/summary/export.csv", a.batch_id),
            Some(&province.cookie),
        )
        .await;
    assert!(csv.body.contains("永康市五金产业集群"), "{}", csv.body);
    assert!(strings.contains("永康市五金产业集群"), "{strings}");
    // A county user has no summary table.
    let county = app.login("yongkang").await;
    let (status, _, _) = get_bytes(
        &app,
        &format!("/province/batches/{}/summary/export.xlsx", a.batch_id),
        &county.cookie,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // The cluster list, in the caller's scope, filtered, as .csv (BOM) and .xlsx.
    let r = app
        .get("/exports/clusters.csv", Some(&province.cookie))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        r.body.starts_with("\u{feff}集群编号,集群名称,"),
        "{}",
        r.body
    );
    assert!(r.body.contains("永康市五金产业集群") && r.body.contains("义乌市测试产业集群"));
    assert!(!r.body.contains("宁海县模具产业集群"));
    let r = app
        .get(
            "/exports/clusters.csv?county=330784",
            Some(&province.cookie),
        )
        .await;
    assert!(r.body.contains("永康市五金产业集群") && !r.body.contains("义乌市测试产业集群"));
    let r = app
        .get("/exports/clusters.csv?industry=I", Some(&province.cookie))
        .await;
    assert_eq!(r.body.trim_end().split("\r\n").count(), 1, "{}", r.body);
    let r = app
        .get("/exports/clusters.csv?tier=bogus", Some(&province.cookie))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let (status, _, bytes) = get_bytes(&app, "/exports/clusters.xlsx", &ningbo.cookie).await;
    assert_eq!(status, StatusCode::OK);
    let strings = xlsx_strings(&bytes);
    assert!(strings.contains("宁海县模具产业集群") && !strings.contains("永康市五金产业集群"));

    // A cluster's roster and figures: the current declaration as the declaration workbook.
    let (status, headers, bytes) = get_bytes(
        &app,
        &format!("/exports/clusters/{}/roster.xlsx", a.cluster_id),
        &province.cookie,
    )
    .await;
    assert_eq!(
        status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&bytes)
    );
    assert!(
        headers
            .get(header::CONTENT_DISPOSITION)
            .unwrap()
            .to_str()
            .unwrap()
            .contains("filename*=UTF-8''")
    );
    assert_eq!(
        jiqun_xlsx::import_declaration(&bytes).unwrap(),
        parse_declaration(&declaration_for("330784")).unwrap()
    );
    // Outside the jurisdiction: 404.
    let (status, _, _) = get_bytes(
        &app,
        &format!("/exports/clusters/{}/roster.xlsx", a.cluster_id),
        &ningbo.cookie,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
crate::both!(exports);
