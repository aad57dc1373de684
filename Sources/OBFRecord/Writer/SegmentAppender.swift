#if canImport(Glibc)
import Glibc
#endif
import Platform

/// The open segment: an append-only file written with whole frames. A frame that cannot be
/// written whole is cut off again, so the file always ends at a complete frame.
final class SegmentAppender {
    let path: String
    private let descriptor: Int32
    private(set) var size: Int

    init(path: String) throws(RecordIOError) {
        self.path = path
        descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw RecordIOError("create", path) }
        size = 0
    }

    deinit { if descriptor >= 0 { close(descriptor) } }

    /// Appends `bytes` whole, or leaves the file as it was and throws.
    func append(_ bytes: [UInt8]) throws(RecordIOError) {
        let (done, failure) = Platform.writeAll(bytes, to: descriptor)
        guard failure != 0 else {
            size += done
            return
        }
        if done > 0 { _ = ftruncate(descriptor, off_t(size)) }
        throw RecordIOError("write", path, errno: failure)
    }
}
