#if canImport(Glibc)
import Glibc
#endif
import Platform

/// Why a write to the record failed (the disk is full, the directory unwritable…).
struct RecordIOError: Error, CustomStringConvertible {
    var description: String

    init(_ operation: String, _ path: String, errno code: Int32 = errno) {
        description = "\(operation) \(path): \(String(cString: strerror(code)))"
    }
}

/// File and directory helpers of the record (and of `obf replay`'s output).
public enum RecordFiles {
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
        let failure = writeAll(Array((line + "\n").utf8), to: descriptor).error
        guard failure == 0 else { throw RecordIOError("write", path, errno: failure) }
        _ = fsync(descriptor)
    }
}
