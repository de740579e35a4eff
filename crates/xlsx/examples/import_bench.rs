//! Import speed of a large declaration workbook (docs/excel.md, "Performance").
//!
//! `cargo run --release -p jiqun-xlsx --example import_bench [ENTERPRISES] [RUNS]`
//!
//! Generates one declaration of ENTERPRISES enterprises (default 10,000) × 3 years, writes
//! it as a workbook with `export_declaration`, then times `import_declaration` RUNS times
//! (default 5) and prints the sizes and the best and median times. Exits 1 if the import
//! fails or does not give the declaration back.
use jiqun_domain::generate::{GenerateParams, generate_one};
use std::process::ExitCode;
use std::time::Instant;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let enterprises: u32 = args.next().and_then(|a| a.parse().ok()).unwrap_or(10_000);
    let runs: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(5).max(1);
    let params = GenerateParams {
        clusters: 1,
        enterprises,
        years: 3,
        seed: 1,
        batch_year: 2024,
    };
    let decl = generate_one(&params, 0).declaration;
    let started = Instant::now();
    let bytes = match jiqun_xlsx::export_declaration(&decl) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("export failed: {e}");
            return ExitCode::from(1);
        }
    };
    let export_time = started.elapsed();
    let figure_rows: usize = decl.enterprises.iter().map(|e| e.figures.len()).sum();
    println!(
        "workbook: {} enterprises, {} figure rows, {:.1} MB, exported in {:.2} s",
        decl.enterprises.len(),
        figure_rows,
        bytes.len() as f64 / 1e6,
        export_time.as_secs_f64()
    );
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let t = Instant::now();
        match jiqun_xlsx::import_declaration(&bytes) {
            Ok(back) if back == decl => {}
            Ok(_) => {
                eprintln!("import gave a different declaration");
                return ExitCode::from(1);
            }
            Err(errors) => {
                for e in errors.iter().take(10) {
                    eprintln!("{e}");
                }
                return ExitCode::from(1);
            }
        }
        times.push(t.elapsed().as_secs_f64());
    }
    times.sort_by(f64::total_cmp);
    println!(
        "import_declaration: best {:.3} s, median {:.3} s over {runs} runs",
        times[0],
        times[times.len() / 2]
    );
    ExitCode::SUCCESS
}
