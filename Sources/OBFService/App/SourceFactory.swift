import Logging
import OBFEngine
import SnapshotSources

/// Builds the snapshot source a configuration names.
public enum SourceFactory {
    /// `liveViewMetrics` receives what a `--hz-read listen` source's live view does (`ServiceMetrics.liveView`).
    public static func make(_ configuration: ServiceConfiguration, liveViewMetrics: LiveViewMetrics = LiveViewMetrics(),
                            logger: Logger) throws -> any SnapshotSource {
        switch configuration.source {
        case .mock:
            return MockSource(seed: configuration.mockSeed)
        case .replay:
            let file = try ReplayFile(contentsOf: configuration.replayFile ?? "")
            if let first = file.skippedLines.first {
                logger.warning("replay lines skipped", metadata: [
                    "count": "\(file.skippedLines.count)", "first_line": "\(first.line)", "reason": "\(first.reason)",
                ])
            }
            logger.info("replay file loaded", metadata: ["lines": "\(file.lineCount)",
                                                          "assets": "\(file.documents.count)"])
            return ReplaySource(file: file)
        case .hazelcast:
            let source = try HazelcastSnapshotSource(configuration: configuration.hazelcast, assets: configuration.assets,
                                                     liveViewMetrics: liveViewMetrics, logger: logger)
            source.start()
            return source
        }
    }
}
