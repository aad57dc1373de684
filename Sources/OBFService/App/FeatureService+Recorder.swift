import Foundation
import Logging
import OBFRecord

extension FeatureService {
    /// The step record `configuration` asks for (`--record-dir`), nil when off; throws when its
    /// directory cannot be made (a service told to record does not run without its record).
    public static func recorder(_ configuration: ServiceConfiguration, metrics: ServiceMetrics,
                                logger: Logger) throws -> RecordWriter? {
        guard let directory = configuration.recordDirectory else { return nil }
        let process = ProcessInfo.processInfo
        let header = SegmentHeader(writer: "\(configuration.engineId)@\(process.hostName):\(process.processIdentifier)",
                                   source: configuration.source.rawValue, engine: configuration.engine,
                                   assets: configuration.assets)
        let recording = RecordWriter.Configuration(directory: directory, retainDays: configuration.recordRetainDays,
                                                   header: header)
        return try RecordWriter(configuration: recording, logger: logger, metrics: metrics.record)
    }
}
