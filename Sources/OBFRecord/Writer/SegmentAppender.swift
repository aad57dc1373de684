#if canImport(Glibc)
import Glibc
#endif

/// Why a write to the record failed (the disk is full, the directory unwritable…).
struct RecordIOError: Error, CustomStringConvertible {
    var description: String

    init(_ operation: String, _ path: String, errno code: Int32 = errno) {
        description = "\(operation) \(path): \(String(cString: strerror(code)))"
    }
}

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
        guard failure != 0 else {
            size += done
            return
        }
        if done > 0 { _ = ftruncate(descriptor, off_t(size)) }
        throw RecordIOError("write", path, errno: failure)
    }
}

/// Directory helpers of the record.
enum RecordFiles {
    /// Creates `path` (one level) when missing.
    static func makeDirectory(_ path: String) throws(RecordIOError) {
        if mkdir(path, 0o755) != 0 && errno != EEXIST { throw RecordIOError("create directory", path) }
    }

    /// The names in directory `path` (empty when it cannot be read).
    static func list(_ path: String) -> [String] {
        guard let directory = opendir(path) else { return [] }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    static func exists(_ path: String) -> Bool {
        access(path, F_OK) == 0
    }

    /// Appends one line to `path` (created when missing) and flushes it.
    static func appendLine(_ line: String, to path: String) throws(RecordIOError) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw RecordIOError("open", path) }
        defer { close(descriptor) }
        let bytes = Array((line + "\n").utf8)
        let wrote = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        guard wrote == bytes.count else { throw RecordIOError("write", path) }
        _ = fsync(descriptor)
    }
}
