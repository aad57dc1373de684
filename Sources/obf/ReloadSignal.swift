import Dispatch
import Foundation

/// SIGHUP reloads: each one runs `reload` on a Dispatch queue of its own (it reads files, so never
/// on the concurrency pool). The default action (terminate) is ignored first, so the signal only
/// wakes the source.
enum ReloadSignal {
    static func install(_ reload: @escaping @Sendable () -> Void) -> any DispatchSourceSignal {
        signal(SIGHUP, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGHUP, queue: DispatchQueue(label: "obf.reload"))
        source.setEventHandler(handler: reload)
        source.resume()
        return source
    }
}
