using System.Text;
using Larder.Contracts.Push;
using Larder.Server.Api.Push;
using Larder.Server.Errors;

namespace Larder.Fuzz.Targets;

/// <summary>
/// The upload metadata of the push API, by the input's first byte: 0, the <c>X-Larder-Path-Info</c> header as sent;
/// 1, the rest as JSON behind a well-formed base64url header; 2, the JSON body that creates a resumable upload. Each
/// then goes through <see cref="PushMetadataReader.ToPublishRequest"/> as the handlers do. Every refusal must be a 4xx.
/// </summary>
internal sealed class PushMetadataTarget : IFuzzTarget
{
    public string Name => "push-metadata";

    public string Covers => "push upload metadata: PushMetadataReader header and JSON, CreateUploadRequest bodies, PublishRequest.Create";

    public void Run(byte[] input)
    {
        if (input.Length == 0)
        {
            return;
        }
        var rest = input.AsSpan(1);
        try
        {
            var metadata = (input[0] % 3) switch
            {
                0 => PushMetadataReader.FromHeader(Encoding.UTF8.GetString(rest)),
                1 => PushMetadataReader.FromHeader(Convert.ToBase64String(rest).TrimEnd('=').Replace('+', '-').Replace('/', '_')),
                _ => PushHandlers.ReadJsonAsync(FuzzRequests.WithBody(rest), PushJsonContext.Default.CreateUploadRequest, "the upload request")
                    .GetAwaiter().GetResult().Path,
            };
            if (metadata is not null)
            {
                _ = PushMetadataReader.ToPublishRequest(metadata, FuzzRequests.Cache);
            }
        }
        catch (LarderException e) when (FuzzRequests.IsClientError(e))
        {
        }
    }
}
