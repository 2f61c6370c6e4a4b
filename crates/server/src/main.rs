fn main() -> anyhow::Result<()> {
    server::cli::main()
}
