import Logging

extension HazelcastSnapshotSource {
    /// The source of `settings` (fetch or listen, as `settings.readMode` says) for `assets`;
    /// `liveViewMetrics` receives what a listening source's live view does. Call `start()` next.
    public convenience init(settings: HazelcastSettings, assets: [String], liveViewMetrics: LiveViewMetrics,
                            logger: Logger) throws {
        let listen = settings.readMode == .listen
            ? LiveViewSettings(assets: assets, resyncInterval: settings.resyncInterval, metrics: liveViewMetrics)
            : nil
        try self.init(configuration: settings.clientConfiguration(logger: logger), mapName: settings.mapName,
                      listen: listen, logger: logger)
    }
}
