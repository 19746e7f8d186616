//! Runs KQL on Apache DataFusion.

#[cfg(test)]
mod tests {
    #[tokio::test]
    async fn datafusion_runs() {
        let ctx = datafusion::prelude::SessionContext::new();
        let df = ctx.read_empty().expect("empty");
        assert_eq!(df.count().await.expect("count"), 1);
    }
}
