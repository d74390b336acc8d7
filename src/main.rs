//! The `relu-regions` command line: parses arguments, calls the library, prints text or JSON.

mod cli_errors;

use clap::{Args, Parser, Subcommand};
use relu_regions::domain::{Domain, Norm};
use relu_regions::enumerate::{CancelToken, CountOptions, Observer};
use relu_regions::error::{Error, Result};
use relu_regions::formats::{self, LoadedModel};
use relu_regions::inputs::{self, CenterSource};
use relu_regions::report::bound::BoundReport;
use relu_regions::report::count::{CertificateReport, CountReport};
use relu_regions::report::progress_bar::ProgressBarObserver;
use relu_regions::report::witness_file::JsonLinesWitnesses;
use relu_regions::sandwich::{BoundMethod, BoundOptions};
use relu_regions::solver::SolverKind;
use relu_regions::vnnlib;
use relu_regions::{plot, slice};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::{Arc, OnceLock};

#[derive(Parser)]
#[command(
    name = "relu-regions",
    version,
    about = "Exact counts and certified bounds of the linear regions of a ReLU network in a ball"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Upper bounds on the number of linear regions in a ball: global (Montúfar 2017, Serra 2018) and local.
    Bound(BoundArgs),
    /// The exact number of linear regions meeting an open ball or box (branch and bound).
    Count(CountArgs),
    /// Draws the exact linear regions of a 2-D slice through the center, clipped to the disc or square.
    Slice(SliceArgs),
    /// Plots every bound and the exact count against the radius (log scale).
    PlotBounds(PlotBoundsArgs),
    /// Exact distance from the center to the boundary of its own linear region (and the unit that flips there).
    Distance(DistanceArgs),
    /// Trains a ReLU MLP (softmax cross-entropy, Adam; deterministic per seed) and writes it with per-epoch checkpoints.
    Train(TrainArgs),
    /// The seed paper's experiments (Zhu, Lin & Tang 2020): `dynamics` or `points`.
    Experiment(ExperimentArgs),
    /// Verifies a certificate written by `count --certificate` or `bound --method lp
    /// --certificate`, in exact arithmetic (exit 0: verified; 1: a record fails; 2: unreadable input).
    Check(CheckArgs),
    /// Adds the results of shards (`count --shard F --json > R.json`, or `--result R.json`) into
    /// one count; refuses results of another network, domain or split. Exact only when every
    /// shard of the split has a result, every part is exact and no unfinished part is left.
    Merge(MergeArgs),
    /// Converts a network between JSON and ONNX (and reads NNet): `convert IN OUT`.
    Convert {
        /// Input network (.json, .onnx or .nnet).
        input: PathBuf,
        /// Output network (.json or .onnx, written as PyTorch exports nn.Sequential).
        output: PathBuf,
    },
}

#[derive(Args)]
struct MergeArgs {
    /// Result files of `count --shard` (the JSON it prints, or the file of its `--result`).
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Print JSON for scripts instead of text.
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
struct CheckArgs {
    /// The network file the count or bound was made on (.onnx, .nnet or .json).
    model: PathBuf,
    /// The certificate file (a count's or a bound's: its first bytes say which).
    certificate: PathBuf,
    /// Print JSON for scripts instead of text.
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
struct ModelArgs {
    /// Network file: .onnx, .nnet or .json.
    model: PathBuf,
    /// The center, comma-separated (e.g. --center=0.1,-0.3).
    #[arg(long, allow_hyphen_values = true, conflicts_with = "center_file")]
    center: Option<String>,
    /// A file holding the center: JSON array, CSV (with or without header) or .npy.
    #[arg(long)]
    center_file: Option<PathBuf>,
    /// Row (0-based) of a table of points in --center-file.
    #[arg(long, requires = "center_file")]
    row: Option<usize>,
    /// The center is in the raw units of an NNet network's inputs (normalized as the network expects).
    #[arg(long)]
    raw_input: bool,
    /// Norm of the ball: l2 (Euclidean ball) or linf (the box c ± r).
    #[arg(long, default_value = "l2")]
    norm: Norm,
    /// Print JSON for scripts instead of text.
    #[arg(long)]
    json: bool,
    /// No progress bar and no notes on stderr.
    #[arg(long)]
    quiet: bool,
}

#[derive(Args)]
struct BoundArgs {
    #[command(flatten)]
    model: ModelArgs,
    /// Radius of the ball (finite, > 0).
    #[arg(long, allow_negative_numbers = true)]
    radius: f64,
    /// Which local bounds: analytic (default, instant), lp (LP-tightened), split (exact regions
    /// of the first k layers, deepened while time allows; the last depth is the exact count), or
    /// all (analytic, lp, then the exact enumerator with the remaining time: a certified lower/upper sandwich).
    #[arg(long, default_value = "analytic")]
    method: BoundMethod,
    /// Time budget in seconds for lp / split / all: the best certified bounds reached stand.
    #[arg(long, allow_negative_numbers = true)]
    time_limit: Option<f64>,
    /// Deepest split depth k (default: the number of hidden layers).
    #[arg(long)]
    split_depth: Option<usize>,
    /// Worker threads for the enumerator and the per-region LPs (default: all cores).
    #[arg(long)]
    threads: Option<usize>,
    /// Write a certificate of the LP bound to this file (with --method lp; verify it with
    /// `relu-regions check`).
    #[arg(long)]
    certificate: Option<PathBuf>,
}

#[derive(Args)]
struct CountArgs {
    #[command(flatten)]
    model: ModelArgs,
    /// Radius of the ball (finite, > 0). Not with --box-file.
    #[arg(
        long,
        required_unless_present_any = ["box_file", "shard", "resume"],
        allow_negative_numbers = true
    )]
    radius: Option<f64>,
    /// Count in the input box of a VNN-LIB property instead of a ball.
    #[arg(long, conflicts_with_all = ["radius", "center", "center_file"])]
    box_file: Option<PathBuf>,
    /// Worker threads (default: all cores). The count never depends on it.
    #[arg(long)]
    threads: Option<usize>,
    /// Stop after this many seconds with an honest partial result (lower and upper bound).
    #[arg(long, allow_negative_numbers = true)]
    time_limit: Option<f64>,
    /// Stop after this many regions with an honest partial result.
    #[arg(long)]
    max_regions: Option<u64>,
    /// Write one JSON line per region (witness point and pattern) to this file.
    #[arg(long)]
    witnesses: Option<PathBuf>,
    /// Write a certificate of the count to this file (verify it with `relu-regions check`).
    #[arg(long)]
    certificate: Option<PathBuf>,
    /// Solver for what the closed-form tests leave open: highs (boxes) or clarabel (boxes and L2 balls).
    #[arg(long)]
    solver: Option<SolverKind>,
    /// Do not settle in exact rational arithmetic what floating point cannot: such decisions
    /// then make the count honestly not exact (a lower/upper sandwich).
    #[arg(long)]
    no_exact_fallback: bool,
    /// Split the search into N shard files of similar expected size (in --out DIR; fewer only
    /// when the search tree is smaller) to count one by one with --shard, e.g. as a job array;
    /// then `relu-regions merge` their results. Sizes are estimated by random dives.
    #[arg(long, requires = "out", conflicts_with_all = ["shard", "checkpoint", "resume", "certificate", "witnesses", "max_regions"])]
    split: Option<usize>,
    /// The folder of the shard files of --split (created if needed).
    #[arg(long, requires = "split")]
    out: Option<PathBuf>,
    /// Count one shard file written by --split (the domain comes from the file; the model must
    /// be the one it was split from). Stopped by --time-limit or Ctrl-C, it writes the
    /// unfinished rest as a new shard file beside it (`FILE.rest-K.json`).
    #[arg(long, conflicts_with_all = ["checkpoint", "resume", "certificate", "witnesses", "max_regions"])]
    shard: Option<PathBuf>,
    /// With --shard: also write the JSON result (what --json prints) to this file, atomically.
    #[arg(long, requires = "shard")]
    result: Option<PathBuf>,
    /// Count in rounds of --checkpoint-every seconds, writing the totals so far and the
    /// unfinished subproblems to this file after each round and when stopped (time limit,
    /// Ctrl-C, SIGTERM); continue with --resume FILE.
    #[arg(long, conflicts_with_all = ["certificate", "witnesses", "max_regions"])]
    checkpoint: Option<PathBuf>,
    /// Seconds between checkpoints (default 60).
    #[arg(long, allow_negative_numbers = true)]
    checkpoint_every: Option<f64>,
    /// Continue the count of a checkpoint file (and keep checkpointing to it, or to
    /// --checkpoint); the model must be the one it was made with.
    #[arg(long, conflicts_with_all = ["certificate", "witnesses", "max_regions"])]
    resume: Option<PathBuf>,
}

#[derive(Args)]
struct SliceArgs {
    #[command(flatten)]
    model: ModelArgs,
    /// Radius of the disc (L2) or half width of the square (linf) in the slice.
    #[arg(long, allow_negative_numbers = true)]
    radius: f64,
    /// The plane's two directions, `u1,u2,...;v1,v2,...` (default: the first two input axes).
    #[arg(long, allow_hyphen_values = true, conflicts_with_all = ["through", "axes"])]
    plane: Option<String>,
    /// The plane through the center and two points P1 P2 (comma-separated coordinates).
    #[arg(long, num_args = 2, value_names = ["P1", "P2"], allow_hyphen_values = true, conflicts_with = "axes")]
    through: Option<Vec<String>>,
    /// The plane of two input axes I J (1-based).
    #[arg(long, num_args = 2, value_names = ["I", "J"])]
    axes: Option<Vec<usize>>,
    /// The picture: FILE.svg or FILE.png.
    #[arg(long, short)]
    out: PathBuf,
    /// Picture width in pixels (16 to 8192).
    #[arg(long, default_value_t = 800)]
    width: u64,
    /// Worker threads for the enumerator.
    #[arg(long)]
    threads: Option<usize>,
    /// Stop after this many seconds: three quarters for the count, the rest for the polygons (the
    /// picture then shows the regions found and drawn so far).
    #[arg(long, allow_negative_numbers = true)]
    time_limit: Option<f64>,
}

#[derive(Args)]
struct PlotBoundsArgs {
    #[command(flatten)]
    model: ModelArgs,
    /// Radii `A:B:N` (N radii from A to B) or a comma-separated list.
    #[arg(long)]
    radii: String,
    /// The chart: FILE.svg or FILE.png.
    #[arg(long, short)]
    out: PathBuf,
    /// Time limit of each exact count, in seconds (a count that stops shows its lower and upper bound).
    #[arg(long, default_value_t = 10.0, allow_negative_numbers = true)]
    time_limit: f64,
    /// Plot the bounds only, no exact counts.
    #[arg(long)]
    no_count: bool,
    /// Worker threads for the enumerator.
    #[arg(long)]
    threads: Option<usize>,
}

#[derive(Args)]
struct TrainArgs {
    /// Data: `digits` (data/digits.csv reduced by PCA to --dims dimensions) or `moons`.
    #[arg(long, default_value = "digits")]
    data: String,
    /// The digits table (for --data digits).
    #[arg(long, default_value = "data/digits.csv")]
    digits: PathBuf,
    /// PCA dimensions (for --data digits).
    #[arg(long, default_value_t = 2)]
    dims: usize,
    /// Hidden widths, comma-separated.
    #[arg(long, default_value = "32,32")]
    hidden: String,
    #[arg(long, default_value_t = 30)]
    epochs: usize,
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Output folder: model.json, model.onnx and checkpoints/epoch_NNN.{json,onnx}.
    #[arg(long)]
    out: PathBuf,
    /// Print the training history as JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
struct DistanceArgs {
    #[command(flatten)]
    model: ModelArgs,
}

#[derive(Args)]
struct ExperimentArgs {
    #[command(subcommand)]
    which: ExperimentKind,
}

#[derive(Subcommand)]
enum ExperimentKind {
    /// Train on PCA-reduced digits; per epoch, at training and test points: boundary distance, local bound, exact count.
    Dynamics(ExperimentCommon),
    /// After training: counts at training, test, uniform-box and Gaussian points (Mann–Whitney U, effect size).
    Points(ExperimentCommon),
}

#[derive(Args)]
struct ExperimentCommon {
    /// Small settings that run in about a minute on 2 cores.
    #[arg(long)]
    quick: bool,
    /// Output folder (CSV, JSON summary, plots, checkpoints).
    #[arg(long, alias = "out-dir", default_value = "out/experiment")]
    out: PathBuf,
    /// Seed of the data split, the initialization and the point samples.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// The digits table.
    #[arg(long, default_value = "data/digits.csv")]
    data: PathBuf,
    /// PCA dimensions of the digits.
    #[arg(long, default_value_t = 2)]
    dims: usize,
    /// Ball radius (default 0.25).
    #[arg(long, allow_negative_numbers = true)]
    radius: Option<f64>,
    /// Training epochs.
    #[arg(long)]
    epochs: Option<usize>,
    /// Points per group.
    #[arg(long)]
    points: Option<usize>,
    /// Worker threads.
    #[arg(long, default_value_t = 2)]
    threads: usize,
    /// Print the summary as JSON.
    #[arg(long)]
    json: bool,
    /// `points` only: repeat over this many consecutive seeds (each in OUT/seed_S) and combine the verdicts.
    #[arg(long, default_value_t = 1)]
    seeds: usize,
}

impl ExperimentCommon {
    /// The digits data reduced by PCA to --dims dimensions, 10 classes.
    fn digits(&self) -> relu_regions::train::DataChoice {
        relu_regions::train::DataChoice::DigitsPca {
            path: self.data.clone(),
            dims: self.dims,
            classes: 10,
        }
    }

    /// (radius, epochs, points) with the options given on the command line replacing the defaults.
    fn overrides(&self, radius: f64, epochs: usize, points: usize) -> (f64, usize, usize) {
        (
            self.radius.unwrap_or(radius),
            self.epochs.unwrap_or(epochs),
            self.points.unwrap_or(points),
        )
    }
}

/// A closed stdout (`relu-regions count … | head -1`) ends the program quietly, as it ends `cat`:
/// the default action of SIGPIPE, which Rust's runtime replaces by an error that `println!`
/// turns into a panic.
#[cfg(unix)]
fn quiet_on_closed_pipe() {
    // SAFETY: setting a signal's disposition to its default before any thread starts.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

#[cfg(not(unix))]
fn quiet_on_closed_pipe() {}

/// Ctrl-C's token, made (and the handler installed) by the first count that asks for it.
static INTERRUPT: OnceLock<CancelToken> = OnceLock::new();

/// The token Ctrl-C trips: a running count stops and prints its honest partial result (marked
/// NOT EXACT, stopped by "cancelled"); a second Ctrl-C ends the program at once (exit 130).
fn interrupt_token() -> CancelToken {
    INTERRUPT
        .get_or_init(|| {
            let token = CancelToken::new();
            let handler = token.clone();
            // without a handler (another one installed) Ctrl-C keeps its default action
            let _ = ctrlc::set_handler(move || {
                if handler.is_cancelled() {
                    std::process::exit(130);
                }
                eprintln!("interrupted: finishing with a partial result (Ctrl-C again to quit)");
                handler.cancel();
            });
            token
        })
        .clone()
}

/// True once Ctrl-C tripped [`interrupt_token`].
fn interrupted() -> bool {
    INTERRUPT.get().is_some_and(CancelToken::is_cancelled)
}

/// The progress bar on stderr, unless --quiet, --json or stderr is not a terminal.
fn progress_observer(m: &ModelArgs) -> Option<Arc<dyn Observer>> {
    (!m.quiet && !m.json && std::io::stderr().is_terminal())
        .then(|| Arc::new(ProgressBarObserver::new()) as Arc<dyn Observer>)
}

fn main() -> ExitCode {
    quiet_on_closed_pipe();
    let cli = Cli::parse();
    if let Command::Check(args) = &cli.command {
        return check(args);
    }
    match run(cli) {
        // the partial result is printed; the exit code still says the run was interrupted
        Ok(()) if interrupted() => ExitCode::from(130),
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {}", cli_errors::message(&e));
            match e {
                Error::Solver { .. } => ExitCode::from(1),
                _ => ExitCode::from(2),
            }
        }
    }
}

fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Bound(args) => bound(args),
        Command::Count(args) => count(args),
        Command::Slice(args) => slice(args),
        Command::PlotBounds(args) => plot_bounds(args),
        Command::Distance(args) => distance(args),
        Command::Experiment(args) => experiment(args),
        Command::Train(args) => train(args),
        Command::Convert { input, output } => convert(&input, &output),
        Command::Merge(args) => merge(&args),
        Command::Check(args) => {
            check(&args);
            Ok(())
        }
    }
}

/// `check MODEL CERT`: the verdict of the independent checker, with its own exit codes.
fn check(args: &CheckArgs) -> ExitCode {
    use relu_regions::check::{check_file, CheckError};
    use relu_regions::report::check::CheckReport;
    match check_file(&args.model, &args.certificate) {
        Ok(checked) => {
            let report = CheckReport::new(&args.model, &checked);
            if args.json {
                println!("{}", report.to_json());
            } else {
                print!("{}", report.to_text());
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            let code = match e {
                CheckError::Unreadable { .. } => 2,
                CheckError::Failed { .. } => 1,
            };
            if args.json && code == 1 {
                let (path, what) = match &e {
                    CheckError::Failed { path, what } => (path.clone(), what.clone()),
                    CheckError::Unreadable { .. } => (String::new(), e.to_string()),
                };
                let json = serde_json::json!({ "verified": false, "at": path, "failure": what });
                println!("{json:#}");
            }
            eprintln!("{}: {e}", if code == 1 { "NOT VERIFIED" } else { "error" });
            ExitCode::from(code)
        }
    }
}

fn load(m: &ModelArgs) -> Result<LoadedModel> {
    let loaded = formats::load_network(&m.model)?;
    if !m.quiet {
        for note in &loaded.notes {
            eprintln!("note: {note}");
        }
    }
    Ok(loaded)
}

fn center_domain(m: &ModelArgs, loaded: &LoadedModel, radius: f64) -> Result<Domain> {
    let center = center(m, loaded)?;
    inputs::make_domain(center, radius, m.norm)
}

/// The center in the network's input space (notes on stderr unless --quiet).
fn center(m: &ModelArgs, loaded: &LoadedModel) -> Result<ndarray::Array1<f64>> {
    if m.center.is_some() && m.row.is_some() {
        return Err(Error::invalid(
            "--row picks a row of --center-file; it has no meaning with --center",
        ));
    }
    let source = match (&m.center, &m.center_file) {
        (Some(text), _) => CenterSource::List(text.clone()),
        (None, Some(path)) => CenterSource::File {
            path: path.clone(),
            row: m.row,
        },
        (None, None) => {
            return Err(Error::invalid(
                "no center: give --center=x1,x2,... or --center-file F [--row K]",
            ))
        }
    };
    let center = inputs::resolve_center(&source, &loaded.network, m.raw_input)?;
    if !m.quiet {
        for note in &center.notes {
            eprintln!("note: {note}");
        }
    }
    Ok(center.point)
}

fn print_json<T: serde::Serialize>(value: &T) -> Result<()> {
    let text = serde_json::to_string_pretty(value)
        .map_err(|e| Error::invalid(format!("JSON output: {e}")))?;
    println!("{text}");
    Ok(())
}

fn bound(args: BoundArgs) -> Result<()> {
    if args.certificate.is_some() && args.method != BoundMethod::Lp {
        return Err(Error::invalid(
            "--certificate: only the LP bound is certified; use it with --method lp",
        ));
    }
    let loaded = load(&args.model)?;
    let domain = center_domain(&args.model, &loaded, args.radius)?;
    let model = args.model.model.display().to_string();
    if let Some(path) = &args.certificate {
        return bound_certified(&args, &loaded, &domain, &model, path);
    }
    let settings = if args.method == BoundMethod::Analytic {
        BoundOptions::new(BoundMethod::Analytic)
    } else {
        let time_limit = inputs::parse_time_limit(args.time_limit)?;
        if args.split_depth == Some(0) {
            return Err(Error::invalid(
                "--split-depth: 0 is not valid; expected at least 1 (depth 0 is --method lp)",
            ));
        }
        BoundOptions {
            method: args.method,
            time_limit,
            split_depth: args.split_depth,
            threads: inputs::parse_threads(args.threads)?,
            // Ctrl-C: the bounds reached so far stand (certified), printed, exit 130
            cancel: Some(interrupt_token()),
        }
    };
    let start = std::time::Instant::now();
    let outcome = relu_regions::bound(&loaded.network, &domain, &settings)?;
    let seconds = start.elapsed().as_secs_f64();
    let report = BoundReport::from_outcome(
        &model,
        &loaded.network,
        &domain,
        &outcome,
        &settings,
        seconds,
    );
    if args.model.json {
        print_json(&report)
    } else {
        print!("{}", report.to_text());
        Ok(())
    }
}

/// `bound --method lp --certificate FILE`: the LP bound computed with its certificate (the
/// report's LP value is the certified one), the file written, and `certificate` in the output.
fn bound_certified(
    args: &BoundArgs,
    loaded: &LoadedModel,
    domain: &Domain,
    model: &str,
    path: &Path,
) -> Result<()> {
    use relu_regions::bounds::lp::certificate::certify_local_lp;
    use relu_regions::report::bound::{LpReport, SandwichReport};
    use relu_regions::report::BigValue;
    let time_limit = inputs::parse_time_limit(args.time_limit)?;
    let start = std::time::Instant::now();
    let net = &loaded.network;
    let mut report = BoundReport::compute(model, net, domain)?;
    let (lp, cert) = certify_local_lp(net, domain, time_limit.map(|t| start + t))?;
    // as `anytime_bounds` with --method lp: the smaller of the analytic and the LP bound
    let analytic = relu_regions::bounds::local_analytic(net, domain)?.value;
    let upper = analytic.min(lp.value.clone());
    report.bounds.local_lp = Some(LpReport::from(&lp));
    let up = BigValue::new(&upper);
    report.bounds.certified = Some(SandwichReport {
        method: "lp".into(),
        upper: up.value,
        upper_log10: up.log10,
        lower: "1".into(),
        exact: upper == num_bigint::BigUint::from(1u32),
        seconds: start.elapsed().as_secs_f64(),
    });
    let file = cert.write(&args.model.model, path)?;
    report.certificate = Some((&file).into());
    if args.model.json {
        print_json(&report)
    } else {
        print!("{}", report.to_text());
        Ok(())
    }
}

fn count(args: CountArgs) -> Result<()> {
    if args.shard.is_some() || args.resume.is_some() {
        return count_from_file(&args);
    }
    if args.checkpoint_every.is_some() && args.checkpoint.is_none() {
        return Err(Error::invalid(
            "--checkpoint-every: give the checkpoint file with --checkpoint FILE",
        ));
    }
    let m = &args.model;
    let loaded = load(m)?;
    let domain = cli_domain(&args, &loaded)?.ok_or_else(|| {
        Error::invalid("count needs --radius R (with a center) or --box-file P.vnnlib")
    })?;
    let settings = cli_count_options(&args, &domain)?;
    if let (Some(n), Some(out)) = (args.split, &args.out) {
        return count_split(&args, &loaded, &domain, &settings, n, out);
    }
    if let Some(path) = &args.checkpoint {
        return count_checkpointed(&args, &loaded, &domain, settings, path, None);
    }
    count_plain(&args, &loaded, &domain, settings)
}

/// The domain given on the command line (--radius with a center, or --box-file), if any.
fn cli_domain(args: &CountArgs, loaded: &LoadedModel) -> Result<Option<Domain>> {
    let m = &args.model;
    Ok(Some(match (&args.box_file, args.radius) {
        (Some(path), _) => {
            let (lo, hi) = vnnlib::read_input_box(path, loaded.network.input_dim())?;
            Domain::from_bounds(&lo, &hi)
                .map_err(|e| Error::format(path, "input box", e.to_string()))?
        }
        (None, Some(r)) => center_domain(m, loaded, r)?,
        (None, None) => return Ok(None),
    }))
}

/// The count's options from the command line (solver: --solver or the domain's default).
fn cli_count_options(args: &CountArgs, domain: &Domain) -> Result<CountOptions> {
    let m = &args.model;
    let threads = inputs::parse_threads(args.threads)?;
    let time_limit = inputs::parse_time_limit(args.time_limit)?;
    let solver = args
        .solver
        .unwrap_or_else(|| relu_regions::solver::default_for(domain));
    Ok(CountOptions {
        threads,
        time_limit,
        max_regions: args.max_regions,
        solver: Some(solver),
        exact_fallback: !args.no_exact_fallback,
        certificate: args.certificate.is_some(),
        cancel: Some(interrupt_token()),
        observer: progress_observer(m),
        frontier: false,
    })
}

/// The name of the solver `settings` uses.
fn solver_name(settings: &CountOptions) -> &'static str {
    settings.solver.map_or("default", |s| s.name())
}

/// `count` without --split, --shard, --checkpoint or --resume.
fn count_plain(
    args: &CountArgs,
    loaded: &LoadedModel,
    domain: &Domain,
    settings: CountOptions,
) -> Result<()> {
    let m = &args.model;
    let domain = domain.clone();
    let sink = match &args.witnesses {
        Some(path) => Some(JsonLinesWitnesses::create(path)?),
        None => None,
    };
    let result = match &sink {
        Some(sink) => {
            relu_regions::count_with_witnesses(&loaded.network, &domain, &settings, sink)?
        }
        None => relu_regions::count(&loaded.network, &domain, &settings)?,
    };
    if let Some(sink) = sink {
        sink.finish()?;
    }
    let mut report = CountReport::new(
        &m.model.display().to_string(),
        &domain,
        solver_name(&settings),
        &result,
    );
    if let (Some(path), Some(tree)) = (&args.certificate, &result.certificate) {
        let file = tree.write(&m.model, path)?;
        report.certificate = Some(CertificateReport::new(&file, tree));
    }
    if m.json {
        print_json(&report)
    } else {
        print!("{}", report.to_text());
        Ok(())
    }
}

/// `count … --split N --out DIR`: N shard files of similar expected size (fewer only when the
/// search tree has fewer parts), from `split_balanced`.
fn count_split(
    args: &CountArgs,
    loaded: &LoadedModel,
    domain: &Domain,
    settings: &CountOptions,
    n: usize,
    out: &Path,
) -> Result<()> {
    use relu_regions::report::shard::{model_sha256, DomainSpec, ShardFile, SplitInfo};
    if n == 0 {
        return Err(Error::invalid(
            "--split: 0 is not valid; expected at least 1",
        ));
    }
    let groups = relu_regions::split_balanced(&loaded.network, domain, n, settings)?;
    let shards = groups.len();
    let subproblems: usize = groups.iter().map(|g| g.parts.len()).sum();
    let id = split_id(&groups);
    std::fs::create_dir_all(out).map_err(|e| Error::io(out, e))?;
    let model = model_sha256(&loaded.network);
    let spec = DomainSpec::of(domain);
    let mut files = Vec::with_capacity(shards);
    for (index, group) in groups.iter().enumerate() {
        let shard = ShardFile {
            format: relu_regions::report::shard::SHARD_FORMAT.into(),
            version: relu_regions::report::shard::VERSION,
            model_sha256: model.clone(),
            domain: spec.clone(),
            split: SplitInfo {
                id: id.clone(),
                index,
                of: shards,
            },
            rest_of: None,
            parts: group.parts.clone(),
            expected_regions: Some(group.expected_regions),
        };
        let path = out.join(format!("shard-{index:05}.json"));
        relu_regions::report::shard::write_json_atomically(&shard, &path)?;
        files.push(path.display().to_string());
    }
    let expected: Vec<f64> = groups.iter().map(|g| g.expected_regions).collect();
    if args.model.json {
        print_json(&serde_json::json!({
            "shards": shards,
            "subproblems": subproblems,
            "out": out.display().to_string(),
            "split_id": id,
            "model_sha256": model,
            "files": files,
            "expected_regions": expected,
        }))
    } else {
        let (lo, hi) = expected
            .iter()
            .fold((f64::INFINITY, 0f64), |(lo, hi), &e| (lo.min(e), hi.max(e)));
        println!(
            "wrote {shards} shard files ({subproblems} subproblems) to {}; expected regions per shard (random dives, an estimate): {lo:.0} to {hi:.0}",
            out.display()
        );
        Ok(())
    }
}

/// The split's identity: the first 16 hex digits of SHA-256 of its groups' parts.
fn split_id(groups: &[relu_regions::SplitGroup]) -> String {
    use sha2::Digest;
    let text: Vec<String> = groups
        .iter()
        .map(|g| {
            let parts: Vec<String> = g.parts.iter().map(|p| p.to_text()).collect();
            parts.join(",")
        })
        .collect();
    let digest = sha2::Sha256::digest(text.join(";").as_bytes());
    relu_regions::formats::container::hex(&digest)[..16].to_string()
}

/// `count MODEL --shard FILE` or `count MODEL --resume FILE`: the domain comes from the file
/// (checked against one given on the command line), the model must match its hash.
fn count_from_file(args: &CountArgs) -> Result<()> {
    use relu_regions::report::shard::{check_domain, check_model, Checkpoint, ShardFile};
    let loaded = load(&args.model)?;
    let given = cli_domain(args, &loaded)?;
    if let Some(path) = &args.shard {
        let shard = ShardFile::read(path)?;
        check_model(path, &shard.model_sha256, &loaded.network)?;
        let domain = shard
            .domain
            .to_domain()
            .map_err(|e| Error::format(path, "domain", e.to_string()))?;
        if let Some(d) = &given {
            check_domain(path, &shard.domain, d)?;
        }
        let settings = cli_count_options(args, &domain)?;
        return count_shard(args, &loaded, &domain, settings, path, &shard);
    }
    let path = args
        .resume
        .as_ref()
        .ok_or_else(|| Error::invalid("--resume: no file"))?;
    let checkpoint = Checkpoint::read(path)?;
    check_model(path, &checkpoint.model_sha256, &loaded.network)?;
    let domain = checkpoint
        .domain
        .to_domain()
        .map_err(|e| Error::format(path, "domain", e.to_string()))?;
    if let Some(d) = &given {
        check_domain(path, &checkpoint.domain, d)?;
    }
    let mut settings = cli_count_options(args, &domain)?;
    if args.solver.is_none() {
        settings.solver = Some(checkpoint.solver.parse().map_err(|_| {
            Error::format(
                path,
                "solver",
                format!("'{}' is unknown", checkpoint.solver),
            )
        })?);
    }
    let target = args.checkpoint.clone().unwrap_or_else(|| path.clone());
    count_checkpointed(args, &loaded, &domain, settings, &target, Some(checkpoint))
}

/// Where the unfinished rest of shard `file` goes: `NAME.rest-1.json` beside it, or
/// `NAME.rest-(K+1).json` for the rest of a rest `NAME.rest-K.json`.
fn rest_path(file: &Path) -> PathBuf {
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    let stem = name.strip_suffix(".json").unwrap_or(&name);
    let (base, k) = match stem.rsplit_once(".rest-") {
        Some((base, k)) => match k.parse::<u64>() {
            Ok(k) => (base, k + 1),
            Err(_) => (stem, 1),
        },
        None => (stem, 1),
    };
    file.with_file_name(format!("{base}.rest-{k}.json"))
}

/// Counts one shard: its subproblems with the frontier on; a stopped count writes its rest.
fn count_shard(
    args: &CountArgs,
    loaded: &LoadedModel,
    domain: &Domain,
    mut settings: CountOptions,
    path: &Path,
    shard: &relu_regions::report::shard::ShardFile,
) -> Result<()> {
    use relu_regions::report::shard::{ShardCountReport, ShardFile, ShardResult, RESULT_FORMAT};
    settings.frontier = true;
    let r = relu_regions::count_subproblems(&loaded.network, domain, &shard.parts, &settings)?;
    let rest_file = if r.unfinished.is_empty() {
        None
    } else {
        let rest = ShardFile {
            rest_of: Some(path.display().to_string()),
            parts: r.unfinished.clone(),
            expected_regions: None,
            ..shard.clone()
        };
        let rest_path = rest_path(path);
        relu_regions::report::shard::write_json_atomically(&rest, &rest_path)?;
        Some(rest_path.display().to_string())
    };
    let finished_exact = r.undecided == 0
        && matches!(
            r.stop,
            relu_regions::Stop::Exact
                | relu_regions::Stop::TimeLimit
                | relu_regions::Stop::Cancelled
                | relu_regions::Stop::MaxRegions
        );
    let result = ShardResult {
        format: RESULT_FORMAT.into(),
        version: relu_regions::report::shard::VERSION,
        file: path.display().to_string(),
        model_sha256: shard.model_sha256.clone(),
        domain: shard.domain.clone(),
        split: shard.split.clone(),
        rest_of: shard.rest_of.clone(),
        parts: shard.parts.clone(),
        regions: r.regions,
        undecided: r.undecided,
        undecided_bound: r.undecided_bound.to_str_radix(10),
        upper: r.upper.to_str_radix(10),
        finished_exact,
        stopped_by: r.stop.reason(),
        unfinished: r.unfinished.clone(),
        rest_file,
    };
    let report = ShardCountReport {
        count: CountReport::new(
            &args.model.model.display().to_string(),
            domain,
            solver_name(&settings),
            &r,
        ),
        shard: result,
    };
    if let Some(out) = &args.result {
        relu_regions::report::shard::write_json_atomically(&report, out)?;
    }
    if args.model.json {
        print_json(&report)
    } else {
        print!("{}", report.count.to_text());
        println!(
            "shard      {} ({} subproblems){}",
            path.display(),
            shard.parts.len(),
            report
                .shard
                .rest_file
                .as_ref()
                .map(|f| format!("; the unfinished rest is in {f}"))
                .unwrap_or_default()
        );
        Ok(())
    }
}

/// SIGTERM seen (set by the handler, polled by a thread that trips the interrupt token).
static TERMINATED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// On SIGTERM, stop the count as Ctrl-C does (so the checkpoint is written).
#[cfg(unix)]
fn stop_on_sigterm() {
    extern "C" fn on_term(_: libc::c_int) {
        TERMINATED.store(true, std::sync::atomic::Ordering::SeqCst);
    }
    // SAFETY: the handler only stores to an atomic (async-signal-safe).
    unsafe {
        libc::signal(
            libc::SIGTERM,
            on_term as extern "C" fn(libc::c_int) as libc::sighandler_t,
        );
    }
    let token = interrupt_token();
    std::thread::spawn(move || loop {
        if TERMINATED.load(std::sync::atomic::Ordering::SeqCst) {
            eprintln!("terminated: writing the checkpoint");
            token.cancel();
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    });
}

#[cfg(not(unix))]
fn stop_on_sigterm() {}

/// `count … --checkpoint FILE` (or `--resume FILE`): the count in rounds of --checkpoint-every
/// seconds with the frontier on, the checkpoint written after each round (and at the start).
fn count_checkpointed(
    args: &CountArgs,
    loaded: &LoadedModel,
    domain: &Domain,
    settings: CountOptions,
    path: &Path,
    resume: Option<relu_regions::report::shard::Checkpoint>,
) -> Result<()> {
    use num_bigint::BigUint;
    use relu_regions::report::shard::{
        model_sha256, write_json_atomically, Checkpoint, CheckpointReport, DomainSpec, Totals,
        CHECKPOINT_FORMAT, VERSION,
    };
    use std::time::{Duration, Instant};
    let every = args.checkpoint_every.unwrap_or(60.0);
    if !(every.is_finite() && every > 0.0) {
        return Err(Error::invalid(format!(
            "--checkpoint-every: {every} is not valid; expected seconds > 0"
        )));
    }
    let every = Duration::from_secs_f64(every);
    stop_on_sigterm();
    let start = Instant::now();
    let deadline = settings.time_limit.map(|t| start + t);
    let net = &loaded.network;
    let local = relu_regions::bounds::local_analytic(net, domain)?.value;
    let mut state = resume.unwrap_or_else(|| Checkpoint {
        format: CHECKPOINT_FORMAT.into(),
        version: VERSION,
        model_sha256: model_sha256(net),
        domain: DomainSpec::of(domain),
        solver: solver_name(&settings).into(),
        exact_fallback: settings.exact_fallback,
        totals: Totals {
            undecided_bound: "0".into(),
            ..Totals::default()
        },
        upper: local.to_str_radix(10),
        unfinished: vec![relu_regions::Subproblem::root()],
    });
    state.domain = DomainSpec::of(domain);
    state.solver = solver_name(&settings).into();
    write_json_atomically(&state, path)?;
    let mut stop = relu_regions::Stop::Exact;
    let mut threads = settings.threads.max(1);
    while !state.unfinished.is_empty() {
        let mut limit = every;
        if let Some(d) = deadline {
            let now = Instant::now();
            if now >= d {
                stop = relu_regions::Stop::TimeLimit;
                break;
            }
            limit = limit.min(d - now);
        }
        let round = CountOptions {
            time_limit: Some(limit),
            frontier: true,
            ..settings.clone()
        };
        let r = relu_regions::count_subproblems(net, domain, &state.unfinished, &round)?;
        threads = r.threads;
        let before = BigUint::from(state.totals.regions) + state.totals.undecided_bound();
        state.totals.add(&r);
        state.upper = (before + &r.upper).min(local.clone()).to_str_radix(10);
        state.unfinished = r.unfinished;
        write_json_atomically(&state, path)?;
        if interrupted() {
            stop = relu_regions::Stop::Cancelled;
            break;
        }
    }
    let t = &state.totals;
    let done = state.unfinished.is_empty();
    let exact = done && t.not_exact.is_none() && t.undecided == 0;
    let upper = if exact {
        t.regions.to_string()
    } else if done {
        (BigUint::from(t.regions) + t.undecided_bound())
            .min(local)
            .to_str_radix(10)
    } else {
        state.upper.clone()
    };
    let stopped_by = if exact {
        None
    } else if !done {
        stop.reason().or_else(|| Some("time limit".into()))
    } else {
        t.not_exact.clone()
    };
    let count = relu_regions::report::count::CountReport {
        model: args.model.model.display().to_string(),
        regions: t.regions,
        exact,
        lower: t.regions,
        upper,
        norm: domain.norm().name(),
        radius: domain.radius(),
        solver: state.solver.clone(),
        solver_calls: t.solver_calls,
        decided_without_solver: t.decided_without_solver,
        near_tolerance: t.near_tolerance,
        exact_fallback_calls: t.exact_calls,
        exact_fallback_s: t.exact_s,
        undecided: t.undecided,
        elapsed_s: t.elapsed_s,
        threads,
        stopped_by,
        certificate: None,
    };
    let report = CheckpointReport {
        count,
        checkpoint: path.display().to_string(),
        rounds: t.rounds,
        unfinished: state.unfinished.len(),
    };
    if args.model.json {
        print_json(&report)
    } else {
        print!("{}", report.count.to_text());
        println!(
            "checkpoint {} ({} rounds, {} subproblems left)",
            report.checkpoint, report.rounds, report.unfinished
        );
        Ok(())
    }
}

/// `merge FILES…`: the sum of shard results.
fn merge(args: &MergeArgs) -> Result<()> {
    use relu_regions::report::shard::{MergeReport, ShardResult};
    let results = args
        .files
        .iter()
        .map(|f| ShardResult::read(f).map(|r| (f.clone(), r)))
        .collect::<Result<Vec<_>>>()?;
    let report = MergeReport::merge(&results)?;
    if args.json {
        print_json(&report)
    } else {
        print!("{}", report.to_text());
        Ok(())
    }
}

fn convert(input: &Path, output: &Path) -> Result<()> {
    let loaded = formats::load_network(input)?;
    for note in &loaded.notes {
        eprintln!("note: {note}");
    }
    formats::save_network(&loaded.network, output)?;
    eprintln!(
        "wrote {} ({} inputs, hidden {}, {} outputs)",
        output.display(),
        loaded.network.input_dim(),
        relu_regions::report::widths_text(&loaded.network.hidden_widths()),
        loaded.network.output_dim()
    );
    Ok(())
}

/// Enumerator settings shared by `count`, `slice` and `plot-bounds`.
fn count_settings(
    m: &ModelArgs,
    threads: Option<usize>,
    time_limit: Option<f64>,
) -> Result<CountOptions> {
    let threads = inputs::parse_threads(threads)?;
    let time_limit = inputs::parse_time_limit(time_limit)?;
    Ok(CountOptions {
        threads,
        time_limit,
        max_regions: None,
        solver: None,
        exact_fallback: true,
        certificate: false,
        cancel: Some(interrupt_token()),
        observer: progress_observer(m),
        frontier: false,
    })
}

/// The widest picture drawn: a square PNG of 8192² pixels takes about 200 MB and half a second;
/// the PNG backend panics beyond 46,340 (its pixel index overflows) and 40,000 took 4.7 GB.
const MAX_PICTURE_WIDTH: u64 = 8192;

/// `--width`: 16 to [`MAX_PICTURE_WIDTH`] pixels.
fn picture_width(width: u64) -> Result<u32> {
    match u32::try_from(width) {
        Ok(w) if (16..=MAX_PICTURE_WIDTH).contains(&width) => Ok(w),
        _ => Err(Error::invalid(format!(
            "--width: {width} is not valid; expected 16 to {MAX_PICTURE_WIDTH} pixels"
        ))),
    }
}

fn slice(args: SliceArgs) -> Result<()> {
    let m = &args.model;
    let width = picture_width(args.width)?;
    let loaded = load(m)?;
    let domain = center_domain(m, &loaded, args.radius)?;
    let directions: Option<(String, String)> = match &args.plane {
        Some(text) => match text.split_once(';') {
            Some((u, v)) => Some((u.to_string(), v.to_string())),
            None => {
                return Err(Error::invalid(format!(
                    "--plane '{text}': expected two directions separated by ';', e.g. --plane '1,0,0;0,1,0'"
                )))
            }
        },
        None => None,
    };
    let spec = slice::plane_spec_from_args(
        args.axes.as_ref().map(|a| (a[0], a[1])),
        directions.as_ref().map(|(u, v)| (u.as_str(), v.as_str())),
        args.through
            .as_ref()
            .map(|t| (t[0].as_str(), t[1].as_str())),
    )?;
    let settings = slice::SliceSettings {
        spec,
        norm: m.norm,
        radius: args.radius,
        count: count_settings(m, args.threads, args.time_limit)?,
        circle_vertices: slice::CIRCLE_VERTICES,
    };
    let computed = slice::compute_slice(&loaded.network, domain.center(), &settings)?;
    let report = plot::write_slice_picture(&computed, &args.out, width)?;
    if m.json {
        print_json(&report)
    } else {
        let exact = if report.exact {
            "exact"
        } else {
            "NOT EXACT: the count stopped early"
        };
        println!(
            "{} ({exact}); {} polygons drawn to {}",
            computed.title(),
            report.polygons,
            args.out.display()
        );
        Ok(())
    }
}

fn plot_bounds(args: PlotBoundsArgs) -> Result<()> {
    let m = &args.model;
    let loaded = load(m)?;
    let radii = slice::parse_radii(&args.radii)?;
    // the center is resolved once, with the first radius only validating the domain
    let center = center_domain(m, &loaded, radii[0])?.center().clone();
    let settings = count_settings(m, args.threads, Some(args.time_limit))?;
    let rows = plot::bounds_vs_radius(
        &loaded.network,
        &center,
        m.norm,
        &radii,
        (!args.no_count).then_some(&settings),
    )?;
    let title = format!(
        "{}: regions in the {} ball against its radius",
        m.model.display(),
        m.norm.name()
    );
    plot::draw_bounds_chart(
        &plot::BoundsChart {
            rows: &rows,
            title,
            size: (900, 600),
        },
        &args.out,
    )?;
    if m.json {
        print_json(&rows)
    } else {
        println!(
            "{:>10} {:>14} {:>14} {:>14} {:>22}",
            "radius", "montufar2017", "serra2018", "local", "exact count"
        );
        for r in &rows {
            let count = match &r.count {
                Some(c) if c.exact => c.lower.to_string(),
                Some(c) => format!("[{}, {}]", c.lower, c.upper),
                None => "-".to_string(),
            };
            println!(
                "{:>10.4} {:>14} {:>14} {:>14} {:>22}",
                r.radius,
                short(&r.montufar2017, r.log10_montufar2017),
                short(&r.serra2018, r.log10_serra2018),
                short(&r.local_analytic, r.log10_local_analytic),
                count
            );
        }
        println!("chart written to {}", args.out.display());
        Ok(())
    }
}

fn short(value: &str, log10: f64) -> String {
    relu_regions::report::BigValue {
        value: value.to_string(),
        log10,
    }
    .short()
}

fn distance(args: DistanceArgs) -> Result<()> {
    let m = &args.model;
    let loaded = load(m)?;
    let x = center(m, &loaded)?;
    let d = relu_regions::train::boundary_distance(&loaded.network, x.view(), m.norm)?;
    if m.json {
        print_json(&serde_json::json!({
            "model": m.model.display().to_string(),
            "norm": m.norm.name(),
            "distance": d.distance,
            "unit": d.unit,
            "layer": d.layer + 1,
            "index": d.index,
            "solver_calls": d.solver_calls,
        }))
    } else {
        println!(
            "distance to the boundary of the region ({}): {} (hidden layer {}, unit {} flips there; {} conic programs)",
            m.norm.name(),
            d.distance,
            d.layer + 1,
            d.index,
            d.solver_calls
        );
        Ok(())
    }
}

fn experiment(args: ExperimentArgs) -> Result<()> {
    use relu_regions::train::{
        run_dynamics, run_points, run_points_over_seeds, DynamicsSettings, PointsSettings,
    };
    let (verdict, files, json) = match args.which {
        ExperimentKind::Dynamics(c) => {
            let mut s = DynamicsSettings::new(c.quick, c.out.clone(), c.seed);
            (s.data, s.threads) = (c.digits(), c.threads);
            (s.radius, s.epochs, s.points) = c.overrides(s.radius, s.epochs, s.points);
            let summary = run_dynamics(&s)?;
            let json = c.json.then(|| serde_json::to_value(&summary)).transpose();
            (summary.verdict, summary.files, json)
        }
        ExperimentKind::Points(c) => {
            let mut s = PointsSettings::new(c.quick, c.out.clone(), c.seed);
            (s.data, s.threads) = (c.digits(), c.threads);
            (s.radius, s.epochs, s.points) = c.overrides(s.radius, s.epochs, s.points);
            if c.seeds > 1 {
                let (runs, combined) = run_points_over_seeds(&s, c.seeds)?;
                let json = c
                    .json
                    .then(|| {
                        serde_json::to_value(
                            serde_json::json!({"runs": runs, "combined": combined}),
                        )
                    })
                    .transpose();
                let verdicts: Vec<String> = runs
                    .iter()
                    .map(|r| format!("seed {}: {}", r.seed, r.verdict))
                    .collect();
                let files = runs.iter().flat_map(|r| r.files.clone()).collect();
                (format!("{}\n{combined}", verdicts.join("\n")), files, json)
            } else {
                let summary = run_points(&s)?;
                let json = c.json.then(|| serde_json::to_value(&summary)).transpose();
                (summary.verdict, summary.files, json)
            }
        }
    };
    match json.map_err(|e| Error::invalid(format!("JSON output: {e}")))? {
        Some(v) => print_json(&v),
        None => {
            println!("{verdict}");
            let files: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
            println!("files: {}", files.join(", "));
            Ok(())
        }
    }
}

fn train(args: TrainArgs) -> Result<()> {
    use relu_regions::train::{evaluate, train, DataChoice, TrainSettings};
    let data = match args.data.as_str() {
        "digits" => DataChoice::DigitsPca {
            path: args.digits.clone(),
            dims: args.dims,
            classes: 10,
        },
        "moons" => DataChoice::Moons {
            n: 500,
            noise: 0.15,
        },
        other => {
            return Err(Error::invalid(format!(
                "--data: '{other}' is not a data set; expected digits or moons"
            )))
        }
    };
    let hidden = args
        .hidden
        .split(',')
        .map(|w| w.trim().parse::<usize>().ok().filter(|&w| w > 0))
        .collect::<Option<Vec<usize>>>()
        .ok_or_else(|| {
            Error::invalid(format!(
                "--hidden '{}': expected widths > 0 separated by commas",
                args.hidden
            ))
        })?;
    let (dataset, description) = data.load(args.seed)?;
    let (train_set, test_set) = dataset.split(0.25, args.seed)?;
    let settings = TrainSettings {
        hidden,
        epochs: args.epochs,
        seed: args.seed,
        checkpoint_dir: Some(args.out.join("checkpoints")),
        ..TrainSettings::default()
    };
    let result = train(&train_set, &settings, None)?;
    formats::save_network(&result.network, &args.out.join("model.json"))?;
    formats::save_network(&result.network, &args.out.join("model.onnx"))?;
    let test = evaluate(&result.network, &test_set);
    if args.json {
        return print_json(&serde_json::json!({
            "data": description,
            "history": result.history.iter().map(|r| serde_json::json!({"epoch": r.epoch, "loss": r.loss, "accuracy": r.accuracy})).collect::<Vec<_>>(),
            "test_accuracy": test.accuracy,
            "out": args.out.display().to_string(),
        }));
    }
    if let Some(last) = result.history.last() {
        println!(
            "{description}: {} epochs, training loss {:.4}, training accuracy {:.3}, test accuracy {:.3}",
            last.epoch, last.loss, last.accuracy, test.accuracy
        );
    }
    println!(
        "wrote {}/model.json, model.onnx and checkpoints/",
        args.out.display()
    );
    Ok(())
}
