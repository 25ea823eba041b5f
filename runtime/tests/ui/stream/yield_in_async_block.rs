fn main() {
    let _ = runtime::stream! {
        let inner = async {
            yield 1;
        };
        inner.await;
        yield 2;
    };
}
