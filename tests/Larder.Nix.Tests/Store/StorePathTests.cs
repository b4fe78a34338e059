using Larder.Nix.Store;

namespace Larder.Nix.Tests.Store;

public class StorePathTests
{
    private const string Hash = "7gx4kiv5m0i7d7qkixq2cwzbr10lvxwc";

    [Theory]
    [InlineData("/nix/store/" + Hash + "-hello-2.12", "/nix/store", "hello-2.12")]
    [InlineData("/nix/store/" + Hash + "-a", "/nix/store", "a")]
    [InlineData("/tmp/x/store/" + Hash + "-A+-._?=z09", "/tmp/x/store", "A+-._?=z09")]
    [InlineData("/s/" + Hash + "-a..b", "/s", "a..b")]
    [InlineData("/s/" + Hash + "-a.", "/s", "a.")]
    public void Parse_splits_store_dir_hash_and_name(string full, string storeDir, string name)
    {
        var path = StorePath.Parse(full);
        Assert.Equal(storeDir, path.StoreDir);
        Assert.Equal(Hash, path.HashPart);
        Assert.Equal(name, path.Name);
        Assert.Equal(Hash + "-" + name, path.BaseName);
        Assert.Equal(full, path.FullPath);
        Assert.Equal(full, path.ToString());
    }

    [Theory]
    [InlineData("", "empty path")]
    [InlineData(Hash + "-hello", "not an absolute path")]
    [InlineData("/" + Hash + "-hello", "store directory '' is not an absolute path")]
    [InlineData("nix/store/" + Hash + "-hello", "store directory 'nix/store' is not an absolute path")]
    [InlineData("/nix//store/" + Hash + "-hello", "is not canonical")]
    [InlineData("/nix/./store/" + Hash + "-hello", "is not canonical")]
    [InlineData("/nix/store/" + Hash + "-hello/", "ends with a slash")]
    [InlineData("/nix/store/" + Hash + "-hello/bin/sh", "points inside the store path '/nix/store/" + Hash + "-hello'")]
    [InlineData("/nix/store/" + Hash + "-hello/" + Hash + "-x", "points inside the store path")]
    [InlineData("/nix/store/" + Hash, "too short")]
    [InlineData("/nix/store/" + Hash + "-", "too short")]
    [InlineData("/nix/store/" + Hash + "_hello", "no dash after the 32-character hash part")]
    [InlineData("/nix/store/7gx4kiv5m0i7d7qkixq2cwzbr10lvxwe-hello", "hash part contains illegal character 'e'")]
    [InlineData("/nix/store/7GX4KIV5M0I7D7QKIXQ2CWZBR10LVXWC-hello", "hash part contains illegal character 'G'")]
    [InlineData("/nix/store/7gx4kiv5m0i7d7qkixq2cwzbr10lvxw-chello", "hash part contains illegal character '-'")]
    [InlineData("/nix/store/" + Hash + "-.", "name '.' is not allowed")]
    [InlineData("/nix/store/" + Hash + "-..", "name '..' is not allowed")]
    [InlineData("/nix/store/" + Hash + "-.hidden", "name starts with a dot")]
    [InlineData("/nix/store/" + Hash + "-hel lo", "illegal character ' '")]
    [InlineData("/nix/store/" + Hash + "-hé", "illegal character 'é'")]
    [InlineData("/nix/store/" + Hash + "-a:b", "illegal character ':'")]
    public void Parse_rejects_invalid_paths_with_reason(string full, string reason)
    {
        var e = Assert.Throws<StorePathException>(() => StorePath.Parse(full));
        Assert.Contains(reason, e.Reason);
        Assert.Contains(reason, e.Message);
        Assert.False(StorePath.TryParse(full, out _));
    }

    [Fact]
    public void Name_length_limit_is_211()
    {
        Assert.True(StorePath.IsValidName(new string('a', 211)));
        Assert.False(StorePath.IsValidName(new string('a', 212)));
        var e = Assert.Throws<StorePathException>(() => StorePath.Parse($"/nix/store/{Hash}-{new string('a', 212)}"));
        Assert.Contains("212 characters long, more than 211", e.Reason);
    }

    [Fact]
    public void Name_accepts_exactly_nixs_character_set()
    {
        for (int c = 1; c < 256; c++)
        {
            bool allowed = char.IsAsciiLetterOrDigit((char)c) || "+-._?=".Contains((char)c);
            Assert.Equal(allowed, StorePath.IsValidName("x" + (char)c));
        }
    }

    [Fact]
    public void Random_names_are_valid_exactly_when_nixs_rules_say_so()
    {
        var random = new Random(5);
        const string pool = "abcXYZ019+-._?=/ :@é\0\n";
        for (int i = 0; i < 20_000; i++)
        {
            var chars = new char[random.Next(0, 215)];
            for (int k = 0; k < chars.Length; k++)
            {
                chars[k] = random.Next(20) == 0 ? pool[random.Next(pool.Length)] : pool[random.Next(15)];
            }
            string name = new(chars);
            bool expected = name.Length is > 0 and <= 211 && name[0] != '.' &&
                name.All(c => char.IsAsciiLetterOrDigit(c) || "+-._?=".Contains(c));
            Assert.Equal(expected, StorePath.IsValidName(name));
            string full = $"/nix/store/{Hash}-{name}";
            Assert.Equal(expected, StorePath.TryParse(full, out var path));
            if (expected)
            {
                Assert.Equal(full, path!.FullPath);
                Assert.Equal(name, path.Name);
            }
        }
    }

    [Fact]
    public void Parse_with_store_dir_requires_that_dir()
    {
        Assert.Equal("/nix/store", StorePath.Parse($"/nix/store/{Hash}-x", "/nix/store").StoreDir);
        var e = Assert.Throws<StorePathException>(() => StorePath.Parse($"/other/store/{Hash}-x", "/nix/store"));
        Assert.Contains("not directly in the store directory '/nix/store'", e.Reason);
    }

    [Fact]
    public void FromBaseName_builds_the_full_path_and_validates_both_parts()
    {
        Assert.Equal($"/gnu/store/{Hash}-x", StorePath.FromBaseName("/gnu/store", $"{Hash}-x").FullPath);
        Assert.Contains("ends with a slash", Assert.Throws<StorePathException>(() => StorePath.FromBaseName("/nix/store/", $"{Hash}-x")).Reason);
        Assert.Contains("too short", Assert.Throws<StorePathException>(() => StorePath.FromBaseName("/nix/store", "x")).Reason);
        Assert.True(StorePath.IsValidBaseName($"{Hash}-x"));
        Assert.False(StorePath.IsValidBaseName($"/nix/store/{Hash}-x"));
        Assert.Null(StorePath.ValidateBaseName($"{Hash}-x"));
        Assert.True(StorePath.IsValidHashPart(Hash));
        Assert.False(StorePath.IsValidHashPart(Hash + "0"));
    }

    [Fact]
    public void Equality_and_order_follow_base_names()
    {
        var a = StorePath.Parse($"/nix/store/{Hash}-a");
        var b = StorePath.Parse($"/nix/store/{Hash}-b");
        Assert.Equal(a, StorePath.Parse($"/nix/store/{Hash}-a"));
        Assert.True(a == StorePath.Parse($"/nix/store/{Hash}-a"));
        Assert.NotEqual(a, StorePath.Parse($"/gnu/store/{Hash}-a"));
        Assert.True(a.CompareTo(b) < 0);
        Assert.True(StorePath.Parse($"/nix/store/0{Hash[1..]}-z").CompareTo(a) < 0);
    }
}
