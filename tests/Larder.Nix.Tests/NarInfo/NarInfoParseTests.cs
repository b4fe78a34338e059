using Larder.Nix.Hashing;
using Larder.Nix.NarInfo;
using NixNarInfo = Larder.Nix.NarInfo.NarInfo;

namespace Larder.Nix.Tests.NarInfo;

public class NarInfoParseTests
{
    private const string H = "0g1sakjhjjcs9kfy8rq77fam806p8nfj";
    private const string R = "mk43m2mx7mqs6x3yng7fd7brv9y690j9";
    private const string Nar = "0kyxj6sb8yci234w9pxw2mif6ya4bgiin2pvrmqkzdjp2g2qqv5y";

    private static readonly string[] ValidLines =
    [
        $"StorePath: /nix/store/{H}-hello",
        $"URL: nar/{Nar}.nar.xz",
        "Compression: xz",
        $"FileHash: sha256:{Nar}",
        "FileSize: 100",
        $"NarHash: sha256:{Nar}",
        "NarSize: 200",
        $"References: {R}-dep {H}-hello",
        $"Deriver: {R}-hello.drv",
        "Sig: k1:AAAA",
        "Sig: k2:BBBB",
    ];

    private static string Valid => string.Join('\n', ValidLines) + "\n";

    private static string With(int index, string? line)
    {
        var lines = ValidLines.ToList();
        if (line is null)
        {
            lines.RemoveAt(index);
        }
        else
        {
            lines[index] = line;
        }
        return string.Join('\n', lines) + "\n";
    }

    [Fact]
    public void Parse_reads_every_field()
    {
        var info = NixNarInfo.Parse(Valid);
        Assert.Equal($"/nix/store/{H}-hello", info.StorePath.FullPath);
        Assert.Equal($"nar/{Nar}.nar.xz", info.Url);
        Assert.Equal("xz", info.Compression);
        Assert.Equal(NixHash.Parse($"sha256:{Nar}"), info.FileHash);
        Assert.Equal(100, info.FileSize);
        Assert.Equal(NixHash.Parse($"sha256:{Nar}"), info.NarHash);
        Assert.Equal(200, info.NarSize);
        Assert.Equal([$"{R}-dep", $"{H}-hello"], info.References);
        Assert.Equal($"{R}-hello.drv", info.Deriver);
        Assert.Equal(["k1:AAAA", "k2:BBBB"], info.Signatures);
        Assert.Null(info.Ca);
    }

    [Fact]
    public void Missing_compression_means_bzip2_and_optional_fields_may_be_absent()
    {
        var info = NixNarInfo.Parse(string.Join('\n', ValidLines.Where(l =>
            !l.StartsWith("Compression") && !l.StartsWith("File") && !l.StartsWith("Deriver") && !l.StartsWith("Sig") && !l.StartsWith("References"))) + "\n");
        Assert.Equal("bzip2", info.Compression);
        Assert.Null(info.FileHash);
        Assert.Null(info.FileSize);
        Assert.Null(info.Deriver);
        Assert.Empty(info.Signatures);
        Assert.Empty(info.References);
        Assert.Equal(
            $"StorePath: /nix/store/{H}-hello\nURL: nar/{Nar}.nar.xz\nCompression: bzip2\nNarHash: sha256:{Nar}\nNarSize: 200\nReferences: \n",
            info.Render());
    }

    [Fact]
    public void Unknown_keys_and_a_missing_final_newline_are_tolerated()
    {
        var info = NixNarInfo.Parse($"System: x86_64-linux\nX-Custom: whatever: here\n{Valid}X-Custom: again".Replace("\n\n", "\n"));
        Assert.Equal(200, info.NarSize);
        Assert.DoesNotContain("System", info.Render());
    }

    [Fact]
    public void Equality_compares_lists_by_content()
    {
        Assert.Equal(NixNarInfo.Parse(Valid), NixNarInfo.Parse(Valid));
        Assert.Equal(NixNarInfo.Parse(Valid).GetHashCode(), NixNarInfo.Parse(Valid).GetHashCode());
        Assert.NotEqual(NixNarInfo.Parse(Valid), NixNarInfo.Parse(Valid) with { Signatures = ["k1:AAAA"] });
        Assert.NotEqual(NixNarInfo.Parse(Valid), NixNarInfo.Parse(Valid) with { References = [] });
        Assert.NotEqual(NixNarInfo.Parse(Valid), NixNarInfo.Parse(Valid) with { FileHash = null });
    }

    [Fact]
    public void Unknown_deriver_means_none()
    {
        Assert.Null(NixNarInfo.Parse(With(8, "Deriver: unknown-deriver")).Deriver);
    }

    [Fact]
    public void Other_hash_encodings_are_accepted_and_rendered_as_nix32()
    {
        var nar = NixHash.Parse($"sha256:{Nar}");
        var info = NixNarInfo.Parse(With(5, $"NarHash: {nar.ToSri()}").Replace($"FileHash: sha256:{Nar}", $"FileHash: sha256:{nar.ToHex()}"));
        Assert.Equal(nar, info.NarHash);
        Assert.Equal(nar, info.FileHash);
        Assert.Contains($"NarHash: sha256:{Nar}\n", info.Render());
        Assert.Contains($"FileHash: sha256:{Nar}\n", info.Render());
    }

    [Fact]
    public void Render_sorts_references_and_signatures_like_nix()
    {
        var info = NixNarInfo.Parse(Valid) with { Signatures = ["k2:BBBB", "k1:AAAA", "k2:BBBB"] };
        string text = info.Render();
        Assert.Contains($"References: {H}-hello {R}-dep\n", text);
        Assert.Contains("Sig: k1:AAAA\nSig: k2:BBBB\n", text);
        Assert.Single(text.Split('\n'), l => l == "Sig: k2:BBBB");
    }

    [Fact]
    public void Content_address_is_normalised_to_nix32()
    {
        var hash = NixHash.Compute(HashKind.Sha256, "x"u8);
        var info = NixNarInfo.Parse(Valid + $"CA: fixed:r:{hash.ToSri()}\n");
        Assert.Equal($"fixed:r:{hash.ToNix32String()}", info.Ca);
        Assert.EndsWith($"CA: fixed:r:{hash.ToNix32String()}\n", info.Render());
    }

    [Fact]
    public void Store_dir_can_be_required()
    {
        Assert.Equal("/nix/store", NixNarInfo.Parse(Valid, "/nix/store").StorePath.StoreDir);
        var e = Assert.Throws<NarInfoFormatException>(() => NixNarInfo.Parse(Valid, "/gnu/store"));
        Assert.Equal((1, "StorePath"), (e.Line, e.Field));
        Assert.Contains("not directly in the store directory '/gnu/store'", e.Message);
    }

    public static TheoryData<string, int, string?, string> Malformed => new()
    {
        { "", 0, "StorePath", "missing required field" },
        { With(0, null), 0, "StorePath", "missing required field" },
        { With(1, null), 0, "URL", "missing required field" },
        { With(5, null), 0, "NarHash", "missing required field" },
        { With(6, null), 0, "NarSize", "missing required field" },
        { With(0, "StorePath: /nix/store/hello"), 1, "StorePath", "'/nix/store/hello' is not a store path: 'hello' is too short" },
        { With(0, $"StorePath: {H}-hello"), 1, "StorePath", "not an absolute path" },
        { With(0, $"StorePath: /nix/store/{H}-hel/lo"), 1, "StorePath", "points inside the store path" },
        { With(0, $"StorePath: /nix/store/{H}-.hello"), 1, "StorePath", "name starts with a dot" },
        { With(1, "URL: "), 2, "URL", "empty URL" },
        { With(2, "Compression: x z"), 3, "Compression", "invalid compression name 'x z'" },
        { With(3, "FileHash: sha256:abc"), 4, "FileHash", "has wrong length 3 for type 'sha256'" },
        { With(3, $"FileHash: {Nar}"), 4, "FileHash", "does not say its type" },
        { With(4, "FileSize: -1"), 5, "FileSize", "'-1' is not a non-negative integer" },
        { With(4, "FileSize: 1 "), 5, "FileSize", "'1 ' is not a non-negative integer" },
        { With(5, "NarHash: sha256:" + Nar[..^1] + "e"), 6, "NarHash", "invalid Nix base32 digits" },
        { With(5, "NarHash: md5:" + Convert.ToHexStringLower(new byte[16])), 6, "NarHash", "must be a sha256 hash, not md5" },
        { With(5, "NarHash: sha3:" + Nar), 6, "NarHash", "unknown hash type 'sha3'" },
        { With(6, "NarSize: 0"), 7, "NarSize", "NarSize must be greater than 0" },
        { With(6, "NarSize: twelve"), 7, "NarSize", "'twelve' is not a non-negative integer" },
        { With(6, "NarSize: 99999999999999999999"), 7, "NarSize", "is too large" },
        { With(6, "NarSize: "), 7, "NarSize", "'' is not a non-negative integer" },
        { With(7, $"References: /nix/store/{R}-dep"), 8, "References", $"'/nix/store/{R}-dep' is not a store path base name" },
        { With(7, $"References: {R}-dep {R}"), 8, "References", $"'{R}' is not a store path base name: '{R}' is too short" },
        { With(7, $"References: {R}-d:ep"), 8, "References", "illegal character ':'" },
        { With(8, "Deriver: hello.drv"), 9, "Deriver", "'hello.drv' is not a store path base name" },
        { With(9, "Sig: nocolon"), 10, "Sig", "'nocolon' is not a signature of the form 'keyname:base64'" },
        { With(9, "Sig: :AAAA"), 10, "Sig", "not a signature of the form" },
        { With(9, "Sig: k1:"), 10, "Sig", "not a signature of the form" },
        { With(9, "Sig: k1:AA AA"), 10, "Sig", "not a signature of the form" },
        { Valid + "CA: sha256:" + Nar + "\n", 12, "CA", "is not a content address" },
        { Valid + "CA: fixed:r:sha256:nothash\n", 12, "CA", "invalid hash in content address" },
        { Valid + $"CA: text:sha256:{Nar}\nCA: text:sha256:{Nar}\n", 13, "CA", "duplicate field" },
        { Valid + "NarSize: 200\n", 12, "NarSize", "duplicate field" },
        { Valid + $"StorePath: /nix/store/{H}-hello\n", 12, "StorePath", "duplicate field" },
        { Valid + "References: \n", 12, "References", "duplicate field" },
        { With(2, "Compression:xz"), 3, "Compression", "expected a space after the colon" },
        { With(2, "Compression xz"), 3, null, "expected 'Key: value', got 'Compression xz'" },
        { With(2, ": xz"), 3, null, "expected 'Key: value'" },
        { With(2, ""), 3, null, "empty line" },
        { Valid.Replace("\n", "\r\n"), 1, null, "line ends with a carriage return" },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void Parse_rejects_malformed_narinfo_naming_line_and_field(string text, int line, string? field, string reason)
    {
        var e = Assert.Throws<NarInfoFormatException>(() => NixNarInfo.Parse(text));
        Assert.Equal(line, e.Line);
        Assert.Equal(field, e.Field);
        Assert.Contains(reason, e.Reason);
        Assert.StartsWith("invalid narinfo: ", e.Message);
        Assert.False(NixNarInfo.TryParse(text, out _, out var error));
        Assert.Equal(e.Message, error!.Message);
    }

    [Fact]
    public void Error_message_names_line_and_field()
    {
        var e = Assert.Throws<NarInfoFormatException>(() => NixNarInfo.Parse(With(6, "NarSize: x")));
        Assert.Equal("invalid narinfo: line 7, field NarSize: 'x' is not a non-negative integer", e.Message);
    }
}
