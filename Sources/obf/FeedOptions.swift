import ArgumentParser
import OBFEngine
import OBFService

/// The asset list of `serve`, `push` and `probe`.
struct AssetOptions: ParsableArguments {
    @Option(help: "Comma-separated assets. [env: OBF_ASSETS] (default: \(Defaults.service.assets.joined(separator: ",")))")
    var assets: String?

    /// The assets, upper-cased; a name that is not `^[A-Za-z0-9]{1,32}$` is an error.
    func assetList(_ environment: Environment) throws -> [String] {
        let names = environment.list(assets, "OBF_ASSETS", default: Defaults.service.assets)
        return try names.map { name in
            guard let asset = AssetSymbol.normalized(name) else {
                throw ValidationError("asset '\(name)' does not match ^[A-Za-z0-9]{1,32}$")
            }
            return asset
        }
    }
}

/// The asset list and the mock and replay options shared by `serve` and `push`.
struct FeedOptions: ParsableArguments {
    @OptionGroup var assetOptions: AssetOptions
    @Option(help: "Seed of the mock source. [env: OBF_MOCK_SEED] (default: \(Defaults.service.mockSeed))")
    var mockSeed: UInt64?
    @Option(help: "JSON Lines file of the replay source. [env: OBF_REPLAY_FILE]")
    var replayFile: String?

    func assetList(_ environment: Environment) throws -> [String] {
        try assetOptions.assetList(environment)
    }

    func seed(_ environment: Environment) throws -> UInt64 {
        try environment.number(mockSeed, "OBF_MOCK_SEED", default: Defaults.service.mockSeed)
    }

    func replayPath(_ environment: Environment) -> String? {
        environment.string(replayFile, "OBF_REPLAY_FILE")
    }
}
