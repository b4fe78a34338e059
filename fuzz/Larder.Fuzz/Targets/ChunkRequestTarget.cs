using System.Text;
using Larder.Contracts.Chunks;
using Larder.Server.Api.Chunks;
using Larder.Server.Api.Push;
using Larder.Server.Errors;

namespace Larder.Fuzz.Targets;

/// <summary>
/// The chunk API's client input, by the input's first byte: 0, a missing-chunks body; 1, a chunked-path body (chunk
/// list and path metadata); 2, a chunk hash as a URL names it. Every refusal must be a 4xx.
/// </summary>
internal sealed class ChunkRequestTarget : IFuzzTarget
{
    private const string MissingWhat = "the missing-chunks request";
    private const string CommitWhat = "the chunked-path request";

    public string Name => "chunk-request";

    public string Covers => "chunk API input: MissingChunksRequest and ChunkedPathRequest bodies, ChunkHashes lists and URL hashes";

    public void Run(byte[] input)
    {
        if (input.Length == 0)
        {
            return;
        }
        var rest = input.AsSpan(1);
        try
        {
            switch (input[0] % 3)
            {
                case 0:
                    var missing = PushHandlers.ReadJsonAsync(FuzzRequests.WithBody(rest), ChunkJsonContext.Default.MissingChunksRequest, MissingWhat)
                        .GetAwaiter().GetResult();
                    _ = ChunkHashes.CheckList(missing.Chunks, ChunkHandlers.MaxChunksPerRequest, MissingWhat);
                    break;
                case 1:
                    var commit = PushHandlers.ReadJsonAsync(FuzzRequests.WithBody(rest), ChunkJsonContext.Default.ChunkedPathRequest, CommitWhat)
                        .GetAwaiter().GetResult();
                    if (commit.Path is not null)
                    {
                        _ = PushMetadataReader.ToPublishRequest(commit.Path, FuzzRequests.Cache);
                    }
                    _ = ChunkHashes.CheckList(commit.Chunks, ChunkHandlers.MaxChunksPerRequest, CommitWhat);
                    break;
                default:
                    var hash = ChunkHashes.ParseNix32(Encoding.UTF8.GetString(rest));
                    FuzzFindingException.Check(ChunkHashes.ParseNix32(hash.ToBase32()) == hash, "a chunk hash does not read back as itself");
                    break;
            }
        }
        catch (LarderException e) when (FuzzRequests.IsClientError(e))
        {
        }
    }
}
