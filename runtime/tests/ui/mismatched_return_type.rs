// Not a macro error: the body's type differs from the declared return type, and rustc
// reports it on the body's last expression (not on the attribute).
#[runtime::main]
async fn main() -> Result<(), String> {
    let answer = 42;
    answer
}
