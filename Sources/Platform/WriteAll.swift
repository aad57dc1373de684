#if canImport(Glibc)
import Glibc
#endif

/// Writes all of `bytes` to `descriptor` (again after a signal); returns how many were written
/// and the errno that stopped it (0: none). Blocking: call it off the Swift concurrency pool.
public func writeAll(_ bytes: [UInt8], to descriptor: Int32) -> (written: Int, error: Int32) {
    var done = 0
    var failure: Int32 = 0
    bytes.withUnsafeBytes { buffer in
        guard let base = buffer.baseAddress else { return }
        while done < buffer.count {
            let wrote = write(descriptor, base + done, buffer.count - done)
            if wrote < 0 {
                if errno == EINTR { continue }
                failure = errno
                return
            }
            done += wrote
        }
    }
    return (done, failure)
}
