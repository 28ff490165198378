//! AFL++ harness: `hongbao-afl TARGET` feeds each input AFL gives it through the parser
//! `hongbao::fuzz::target(TARGET)`. A panic or a refusal that does not name the file aborts the
//! process, which AFL records as a crash; AFL's own timeout (`-t`) records hangs.

use hongbao::fuzz::{Verdict, target};

fn main() {
    let name = std::env::args().nth(1).unwrap_or_else(|| {
        eprintln!("usage: hongbao-afl TARGET");
        std::process::exit(2)
    });
    let Some(t) = target(&name) else {
        eprintln!("hongbao-afl: no target {name}");
        std::process::exit(2)
    };
    let dir = std::env::temp_dir().join(format!("hongbao-afl-{}-{}", name, std::process::id()));
    std::fs::create_dir_all(&dir).expect("a scratch directory");
    // The parsers' own panics are caught by `check`; keep their messages off AFL's screen.
    std::panic::set_hook(Box::new(|_| {}));
    afl::fuzz!(|data: &[u8]| {
        match t.check(&dir, data) {
            Verdict::Accepted | Verdict::Refused(_) => {}
            Verdict::Unnamed(m) | Verdict::Panicked(m) => {
                eprintln!("finding: {m}");
                std::process::abort();
            }
        }
    });
}
