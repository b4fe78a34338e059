namespace Larder.Nix.Tests.Nar;

/// <summary>The golden NARs made by Fixtures/make-nar-fixtures.sh with the real Nix.</summary>
internal static class NarFixtures
{
    public static readonly string[] Names = ["regular", "empty", "executable", "symlink", "empty-dir", "padding", "mixed", "names"];

    public static TheoryData<string> All()
    {
        var data = new TheoryData<string>();
        foreach (var name in Names)
        {
            data.Add(name);
        }
        return data;
    }

    public static string Directory => Path.Combine(AppContext.BaseDirectory, "Fixtures", "nar");

    public static byte[] Nar(string name) => File.ReadAllBytes(Path.Combine(Directory, name + ".nar"));

    /// <summary><c>nix-hash --type sha256 --base32</c> of the tree.</summary>
    public static string NixBase32Hash(string name) => File.ReadAllText(Path.Combine(Directory, name + ".hash")).Trim();

    /// <summary>The <c>.ls</c> file Nix wrote for the tree.</summary>
    public static byte[] Listing(string name) => File.ReadAllBytes(Path.Combine(Directory, name + ".ls"));

    /// <summary><c>nix nar ls -R --long</c> of the NAR.</summary>
    public static string TextListing(string name) => File.ReadAllText(Path.Combine(Directory, name + ".ls.txt"));
}
