using Larder.Cli.Commands.Use;

namespace Larder.Cli.Tests.Use;

public sealed class NixConfEditorTests
{
    private const string Url = "http://cache.test/main";
    private const string Key = "main-1:AAAA";

    private static NixConfEditor Apply(string text)
    {
        var editor = new NixConfEditor(text);
        editor.EnsureSubstituter(Url);
        editor.EnsureTrustedKey(Key);
        return editor;
    }

    [Fact]
    public void Empty_file_gets_both_lines()
    {
        var editor = Apply("");

        Assert.Equal($"extra-substituters = {Url}\nextra-trusted-public-keys = {Key}\n", editor.Text);
        Assert.Equal(2, editor.Changes.Count);
    }

    [Theory]
    [InlineData("extra-substituters = https://a.example\n", "extra-substituters = https://a.example http://cache.test/main\n")]
    [InlineData("extra-substituters = https://a.example # comment\n", "extra-substituters = https://a.example http://cache.test/main # comment\n")]
    [InlineData("  extra-substituters=https://a.example\n", "extra-substituters = https://a.example http://cache.test/main\n")]
    public void Substituter_is_appended_to_an_existing_extra_substituters_line(string before, string expectedLine)
    {
        var editor = new NixConfEditor(before);

        editor.EnsureSubstituter(Url);

        Assert.Equal(expectedLine, editor.Text);
    }

    [Theory]
    [InlineData("substituters = http://cache.test/main\n")]
    [InlineData("substituters = http://cache.test/main/\n")]
    [InlineData("extra-substituters = https://x http://cache.test/main\n")]
    public void Substituter_already_configured_changes_nothing(string text)
    {
        var editor = new NixConfEditor(text);

        editor.EnsureSubstituter(Url);

        Assert.Empty(editor.Changes);
        Assert.Equal(text, editor.Text);
    }

    [Fact]
    public void Applying_twice_is_a_no_op_the_second_time()
    {
        var once = Apply("# mine\nmax-jobs = 2\n").Text;

        var twice = Apply(once);

        Assert.Empty(twice.Changes);
        Assert.Equal(once, twice.Text);
    }

    [Fact]
    public void Comments_blank_lines_and_other_settings_are_kept_verbatim()
    {
        const string text = "# header comment\n\nmax-jobs = 4   # trailing\n  # indented comment\nsandbox = false";

        var result = Apply(text).Text;

        Assert.StartsWith(text + "\n", result);
    }

    [Fact]
    public void A_rotated_key_of_the_same_name_is_replaced()
    {
        var editor = new NixConfEditor("extra-trusted-public-keys = other-1:BBBB main-1:OLD\n");

        editor.EnsureTrustedKey(Key);

        Assert.Equal("extra-trusted-public-keys = other-1:BBBB main-1:AAAA\n", editor.Text);
    }

    [Fact]
    public void Netrc_file_line_is_added_once_and_replaced_when_different()
    {
        var editor = new NixConfEditor("netrc-file = /old/netrc\n");

        editor.SetNetrcFile("/old/netrc");
        Assert.Empty(editor.Changes);
        editor.SetNetrcFile("/new/netrc");

        Assert.Equal("netrc-file = /new/netrc\n", editor.Text);
        Assert.Equal("/new/netrc", editor.NetrcFile);
    }

    [Theory]
    [InlineData("extra-substituters = http://h/c\nextra-trusted-public-keys = c-1:k\n", "")]
    [InlineData("extra-substituters = http://a http://h/c/ # mine\nextra-trusted-public-keys = o-1:x c-1:k\n",
        "extra-substituters = http://a # mine\nextra-trusted-public-keys = o-1:x\n")]
    [InlineData("# top\nmax-jobs = 2\nextra-substituters = http://h/c\n", "# top\nmax-jobs = 2\n")]
    public void Removing_a_substituter_and_key_keeps_everything_else(string before, string expected)
    {
        var editor = new NixConfEditor(before);

        editor.RemoveSubstituter("http://h/c");
        editor.RemoveTrustedKey("c-1:k");

        Assert.Equal(expected, editor.Text);
        Assert.NotEmpty(editor.Changes);
    }
}
