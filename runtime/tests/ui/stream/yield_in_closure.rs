use runtime::stream::Stream;

fn numbers() -> impl Stream<Item = u32> {
    runtime::stream! {
        let yield_each = |n: u32| {
            yield n;
        };
        yield_each(1);
        yield 2;
    }
}

fn main() {
    let _ = numbers();
}
