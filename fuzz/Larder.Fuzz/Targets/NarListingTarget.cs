using System.Text.Json;
using Larder.Nix.Hashing;
using Larder.Nix.Nar;

namespace Larder.Fuzz.Targets;

/// <summary>
/// The NAR parser and the <c>.ls</c> listing built from it. An accepted archive must hash to its own SHA-256 and size,
/// and its listing must be JSON that names version 1 and a root.
/// </summary>
internal sealed class NarListingTarget : IFuzzTarget
{
    // Nesting is unbounded in a NAR, so the listing is too; the check must not stop at System.Text.Json's default of 64.
    private static readonly JsonDocumentOptions DeepJson = new() { MaxDepth = int.MaxValue };

    public string Name => "nar-listing";

    public string Covers => "NarParser over any bytes, NarHash/NarSize of accepted archives, the .ls listing (NarListing)";

    public void Run(byte[] input)
    {
        var listing = new NarListing();
        NarHashResult result;
        try
        {
            result = NarParser.ParseAsync(new MemoryStream(input, writable: false), listing).GetAwaiter().GetResult();
        }
        catch (NarFormatException)
        {
            return;
        }
        FuzzFindingException.Check(result.NarSize == input.Length, $"NarSize {result.NarSize} of an accepted {input.Length}-byte archive");
        FuzzFindingException.Check(result.NarHash == NixHash.Compute(HashKind.Sha256, input), "the NarHash is not the archive's SHA-256");
        JsonDocument json;
        try
        {
            json = JsonDocument.Parse(listing.Utf8Json, DeepJson);
        }
        catch (JsonException e)
        {
            throw new FuzzFindingException($"the listing of an accepted archive is not JSON: {e.Message}");
        }
        using (json)
        {
            var root = json.RootElement;
            FuzzFindingException.Check(
                root.TryGetProperty("version", out var version) && version.GetInt32() == 1 &&
                root.TryGetProperty("root", out _),
                "the listing lacks version 1 or its root");
        }
    }
}
