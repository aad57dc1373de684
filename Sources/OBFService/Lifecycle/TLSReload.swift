import Logging
import Platform
import ServiceLifecycle
import UnixSignals

/// SIGHUP reloads the API's TLS certificate and key (`FeatureService.reloadTLS`), until the
/// graceful shutdown. The files are read on a queue of their own, never on the concurrency pool.
struct TLSReload: Service, CustomStringConvertible {
    let service: FeatureService
    let logger: Logger
    var description: String { "TLSReload" }

    func run() async {
        let files = BlockingQueue(label: "obf.reload")
        let service = self.service
        for await signal in await UnixSignalsSequence(trapping: .sighup).cancelOnGracefulShutdown() {
            logger.info("signal received", metadata: ["signal": "\(signal)"])
            _ = await files.run { service.reloadTLS() }
        }
    }
}
