//! Criterion benchmarks of the criteria engine (issue 3, item 9).
//!
//! `cargo bench -p jiqun-domain --bench evaluate`
//!
//! - `one_declaration_1000_enterprises`: one generated declaration of 1,000 enterprises ×
//!   3 years: parsing (`parse_declaration`), evaluation of the parsed declaration
//!   (`evaluate`, which includes the `X.*` checks), the checks alone, and parse + evaluate.
//! - `bulk_100_clusters_x_100`: 100 generated declarations of 100 enterprises as JSON lines,
//!   parsed and evaluated line by line, against the baseline of parsing the same lines into
//!   `serde_json::Value` (the comparison of `scripts/bench-jsonl.sh`, in process).
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use jiqun_domain::checks;
use jiqun_domain::criteria::{Edition, Lang, evaluate, evaluate_json, parse_declaration};
use jiqun_domain::generate::{GenerateParams, generate, generate_one, write_json_line};
use std::hint::black_box;

fn params(clusters: u32, enterprises: u32) -> GenerateParams {
    GenerateParams {
        clusters,
        enterprises,
        years: 3,
        seed: 1,
        batch_year: 2024,
    }
}

fn one_large_declaration(c: &mut Criterion) {
    let decl = generate_one(&params(1, 1000), 0).declaration;
    let mut buf = Vec::new();
    if write_json_line(&mut buf, &decl).is_err() {
        return;
    }
    let json = String::from_utf8(buf).unwrap_or_default();
    let Some(edition) = Edition::builtin("2022") else {
        return;
    };
    let mut g = c.benchmark_group("one_declaration_1000_enterprises");
    g.throughput(Throughput::Bytes(json.len() as u64));
    g.bench_function("parse", |b| b.iter(|| parse_declaration(black_box(&json))));
    g.bench_function("evaluate", |b| {
        b.iter(|| evaluate(black_box(&decl), edition, Lang::Zh))
    });
    g.bench_function("checks", |b| b.iter(|| checks::run(black_box(&decl))));
    g.bench_function("parse_and_evaluate", |b| {
        b.iter(|| evaluate_json(black_box(&json), Lang::Zh))
    });
    g.bench_function("baseline_serde_json_value", |b| {
        b.iter(|| serde_json::from_str::<serde_json::Value>(black_box(&json)))
    });
    g.finish();
}

fn bulk(c: &mut Criterion) {
    let mut text = Vec::new();
    for d in generate(&params(100, 100)) {
        if write_json_line(&mut text, &d).is_err() {
            return;
        }
    }
    let text = String::from_utf8(text).unwrap_or_default();
    let mut g = c.benchmark_group("bulk_100_clusters_x_100");
    g.sample_size(10);
    g.throughput(Throughput::Bytes(text.len() as u64));
    g.bench_function("parse_and_evaluate", |b| {
        b.iter(|| {
            let mut eligible = 0usize;
            for line in text.lines() {
                if let Ok(e) = evaluate_json(black_box(line), Lang::Zh) {
                    eligible += usize::from(e.eligible);
                }
            }
            eligible
        })
    });
    g.bench_function("baseline_serde_json_value", |b| {
        b.iter(|| {
            let mut n = 0usize;
            for line in text.lines() {
                if let Ok(v) = serde_json::from_str::<serde_json::Value>(black_box(line)) {
                    n += v.as_object().map_or(0, |o| o.len());
                }
            }
            n
        })
    });
    g.finish();
}

criterion_group!(benches, one_large_declaration, bulk);
criterion_main!(benches);
