import Logging

extension HazelcastSnapshotSource {
    /// The source of `configuration` (fetch or listen, as `configuration.readMode` says) for `assets`;
    /// `liveViewMetrics` receives what a listening source's live view does. Call `start()` next.
    public convenience init(configuration: HazelcastConfiguration, assets: [String], liveViewMetrics: LiveViewMetrics,
                            logger: Logger) throws {
        let listen = configuration.readMode == .listen
            ? LiveViewConfiguration(assets: assets, resyncInterval: configuration.resyncInterval, metrics: liveViewMetrics)
            : nil
        try self.init(configuration: configuration.clientConfiguration(logger: logger), mapName: configuration.mapName,
                      listen: listen, logger: logger)
    }
}
