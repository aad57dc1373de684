import COpenSSL

/// The method table of the MSG_NOSIGNAL socket BIO (COpenSSL.h), created once and never freed.
///
/// `@unchecked Sendable` is sound: `method` is written once in `init` (run once, by the
/// thread-safe initialization of `shared`) and OpenSSL only reads it afterwards.
package final class NoSignalSocketMethod: @unchecked Sendable {
    package static let shared = NoSignalSocketMethod()
    package let method: OpaquePointer?

    private init() {
        method = obf_nosignal_bio_method_new()
    }
}
