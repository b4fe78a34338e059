using System.Text.Encodings.Web;
using System.Text.Json.Serialization;
using Larder.Contracts;
using Larder.Contracts.Artifacts;
using Larder.Contracts.Chunks;
using Larder.Contracts.Explain;
using Larder.Contracts.Oidc;
using Larder.Contracts.Paths;
using Larder.Contracts.Pins;
using Larder.Contracts.Push;
using Microsoft.AspNetCore.Http.Json;

namespace Larder.Server.Api;

/// <summary>
/// The JSON of the HTTP layer (request bodies bound by endpoints, results, the OpenAPI document's schemas): only the
/// source-generated metadata of the API's contracts, never reflection, in every build as in the Native AOT one, so a
/// type without metadata fails the tests rather than the AOT server.
/// </summary>
internal static class ApiJson
{
    public static void Configure(JsonOptions options)
    {
        var chain = options.SerializerOptions.TypeInfoResolverChain;
        chain.Clear();
        chain.Add(LarderJsonContext.Default);
        chain.Add(ArtifactJsonContext.Default);
        chain.Add(ChunkJsonContext.Default);
        chain.Add(ExplainJsonContext.Default);
        chain.Add(OidcJsonContext.Default);
        chain.Add(PathJsonContext.Default);
        chain.Add(PinJsonContext.Default);
        chain.Add(PushJsonContext.Default);
        options.SerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
        options.SerializerOptions.Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;
    }
}
