using System.Buffers.Binary;
using System.Text;
using Larder.Nix.Store;
using Larder.Server.Api;
using Larder.Server.Api.Chunks;
using Larder.Server.BinaryCache;
using Larder.Server.Errors;

namespace Larder.Fuzz.Targets;

/// <summary>
/// The parsers of client-chosen URL segments and headers of the binary cache protocol. The input's first 8 bytes are
/// a representation size (for the <c>Range</c> header); the rest, as text, is given to each parser in turn. Accepted
/// values must keep what they promise: a resolved range lies inside the representation, a NAR file name's URL parses
/// back to the same name, a narinfo/listing file name yields a valid hash part, a valid base name makes a store path.
/// </summary>
internal sealed class RequestPathTarget : IFuzzTarget
{
    private const string StoreDir = "/nix/store";

    public string Name => "request-path";

    public string Covers => "URL segments and headers: ByteRange, NarFileName, <hash>.narinfo/.ls names, store path base names, cache names, chunk hashes";

    public void Run(byte[] input)
    {
        if (input.Length < sizeof(long))
        {
            return;
        }
        // Positive, and small enough that no range arithmetic overflows in the server (NARs are far below 2^50).
        long total = (long)(BinaryPrimitives.ReadUInt64LittleEndian(input) % (1UL << 50)) + 1;
        var text = Encoding.UTF8.GetString(input.AsSpan(sizeof(long)));
        CheckRange(text, total);
        CheckNarFileName(text);
        foreach (var suffix in new[] { ".narinfo", ".ls" })
        {
            if (BinaryCacheReader.TryHashPart(text, suffix) is { } hashPart)
            {
                FuzzFindingException.Check(StorePath.IsValidHashPart(hashPart), $"'{hashPart}' from a {suffix} name is not a hash part");
            }
        }
        if (StorePath.ValidateBaseName(text) is null)
        {
            var path = StorePath.FromBaseName(StoreDir, text);
            FuzzFindingException.Check(StorePath.Parse(path.FullPath, StoreDir) == path, "a store path made from a valid base name does not parse back");
        }
        _ = CacheRules.IsValidName(text);
        try
        {
            _ = ChunkHashes.ParseNix32(text);
        }
        catch (InvalidRequestException)
        {
        }
    }

    private static void CheckRange(string header, long total)
    {
        bool satisfiable = ByteRange.TryResolve(header, total, out var range, out bool unsatisfiable);
        FuzzFindingException.Check(satisfiable != unsatisfiable, "a range is both resolved and unsatisfiable, or neither");
        if (range is { } r)
        {
            FuzzFindingException.Check(r.From >= 0 && r.From <= r.To && r.To < total, $"range {r.From}-{r.To} lies outside {total} bytes");
        }
    }

    private static void CheckNarFileName(string file)
    {
        if (NarFileName.TryParse(file, out var error) is { } name)
        {
            FuzzFindingException.Check(NarFileName.TryParse(name.Url["nar/".Length..], out _) == name, $"the URL {name.Url} does not name {file}");
            return;
        }
        try
        {
            _ = NarFileName.Parse(file);
            throw new FuzzFindingException($"NarFileName.Parse accepted '{file}', which TryParse refused ({error})");
        }
        catch (InvalidRequestException)
        {
        }
    }
}
