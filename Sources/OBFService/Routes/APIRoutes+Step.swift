import JSON
import OBFEngine
import OBFHTTP

/// `POST /step/{bar}`: checked inline, run on the engine actor; answered as JSON or, for
/// `Accept: application/octet-stream`, as the binary feature table.
extension APIRoutes {
    func step(_ request: RoutedRequest) throws(RequestRejection) -> HTTPHandlerResult {
        let bar = try RequestValidation.bar(request.parameter("bar"))
        let rollover = try RequestValidation.flag(request.query["rollover"], name: "rollover")
        let include = try request.query["include"].map { value throws(RequestRejection) -> StepInclusion in
            guard let inclusion = StepInclusion(rawValue: value) else {
                throw .badRequest("invalid_query", "include takes 'features' or 'feature_table', got '\(value.prefix(40))'")
            }
            return inclusion
        }
        let format = try StepAnswerFormat(accept: request.request.headers.values("Accept"), include: include)
        let assets = try StepBody.assets(from: request.request, limit: ServiceConfiguration.maxAssets)
        let engine = self.engine
        return .deferred {
            do throws(StepError) {
                let report = try await engine.step(bar: bar, assets: assets, rollover: rollover)
                guard case .json(let include) = format else {
                    return HTTPResponse(status: 200, headers: [("Content-Type", BinaryFeatureTable.mediaType)],
                                        body: BinaryFeatureTable.body(report))
                }
                var json = JSONWriter(capacity: 512 + (include == nil ? 0 : report.computed.count * 400))
                json.stepReport(report, include: include)
                return .json(json.bytes)
            } catch {
                return HTTPResponse(error: error)
            }
        }
    }
}
