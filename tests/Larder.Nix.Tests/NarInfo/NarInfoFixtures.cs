using System.Text.Json;

namespace Larder.Nix.Tests.NarInfo;

/// <summary>The narinfo and key files written by the real Nix (see Fixtures/make-narinfo-fixtures.sh).</summary>
public static class NarInfoFixtures
{
    public static readonly string[] Compressions = ["none", "xz", "zstd", "bzip2", "br", "gzip"];

    public static string Root => Path.Combine(AppContext.BaseDirectory, "Fixtures");

    public static string KeyFile(string name) => Path.Combine(Root, "keys", name);

    /// <summary>(compression, file name) of every fixture narinfo.</summary>
    public static TheoryData<string, string> All()
    {
        var data = new TheoryData<string, string>();
        foreach (var compression in Compressions)
        {
            foreach (var file in Directory.GetFiles(Path.Combine(Root, "narinfo", compression), "*.narinfo").Order(StringComparer.Ordinal))
            {
                data.Add(compression, Path.GetFileName(file));
            }
        }
        return data;
    }

    public static string Read(string compression, string file) =>
        File.ReadAllText(Path.Combine(Root, "narinfo", compression, file));

    /// <summary><c>nix path-info --json</c> of the fixture paths, by full store path.</summary>
    public static Dictionary<string, JsonElement> PathInfo()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(Root, "narinfo", "path-info.json")));
        return document.RootElement.EnumerateArray().ToDictionary(e => e.GetProperty("path").GetString()!, e => e.Clone());
    }
}
