import Foundation
import OBFEngine
import Platform
#if canImport(Glibc)
import Glibc
#endif

/// Reads and atomically writes the engine's state file: the bytes go to a temporary
/// file in the same folder, which is fsynced, renamed over the target, and the folder
/// fsynced, so a crash at any point leaves either the old file or the new one.
public enum StateFile {
    public static func load(_ path: String) throws(StateFileError) -> EngineState? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw .unreadable(error.localizedDescription)
        }
        return try EngineStateCodec.decode([UInt8](data))
    }

    public static func save(_ state: EngineState, to path: String) throws(StateFileError) {
        try write(EngineStateCodec.encode(state), to: path)
    }

    static func write(_ bytes: [UInt8], to path: String) throws(StateFileError) {
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent().path
        let temporary = folder + "/." + url.lastPathComponent + ".tmp-\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .unwritable("cannot create \(temporary): \(String(cString: strerror(errno)))") }
        let written = writeAll(bytes, to: fd).error
        var failure = written == 0 ? nil : "write failed: \(String(cString: strerror(written)))"
        if failure == nil && fsync(fd) != 0 { failure = "fsync failed: \(String(cString: strerror(errno)))" }
        close(fd)
        if let failure {
            unlink(temporary)
            throw .unwritable(failure)
        }
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw .unwritable("rename to \(path) failed: \(reason)")
        }
        let directory = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directory >= 0 {
            fsync(directory)
            close(directory)
        }
    }
}
