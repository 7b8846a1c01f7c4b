using System.Collections;
using Xunit;

namespace ChatEngine.Server.Tests;

/// <summary>One options model from three sources: settings file &lt; CHATENGINE_* environment &lt; explicit flags.</summary>
public sealed class ServerConfigurationTests : IDisposable
{
    private readonly string _file = Path.GetTempFileName();

    private static Dictionary<string, string?> None => [];

    [Fact]
    public void Each_source_overrides_the_one_before_it_and_untouched_settings_keep_their_defaults()
    {
        File.WriteAllText(_file, """{ "ChatEngine": { "Port": 9001, "Parallel": 2, "ContextSize": 512, "Host": "0.0.0.0" } }""");
        var environment = new Hashtable { ["CHATENGINE_PARALLEL"] = "3", ["CHATENGINE_CONTEXTSIZE"] = "1024", ["CHATENGINE_MODELS"] = "/store", ["PATH"] = "/bin" };

        var options = ServerConfiguration.Load(_file, new Dictionary<string, string?> { ["ContextSize"] = "4096" }, environment);

        Assert.Equal(9001, options.Port);
        Assert.Equal("0.0.0.0", options.Host);
        Assert.Equal(3, options.Parallel);
        Assert.Equal(4096, options.ContextSize);
        Assert.Equal(new ServerOptions().QueueLimit, options.QueueLimit);
        Assert.Equal(ServerOptions.DefaultModelPath, options.ModelPath);
    }

    [Fact]
    public void A_value_of_the_wrong_type_names_the_setting_and_its_source()
    {
        var error = Assert.Throws<ArgumentException>(() => ServerConfiguration.Load(null, None, new Hashtable { ["CHATENGINE_QUEUELIMIT"] = "many" }));

        Assert.Equal("environment (CHATENGINE_*): 'QueueLimit' is 'many', which is not a whole number", error.Message);
    }

    [Theory]
    [InlineData("Port", "80.5", "'Port' is '80.5', which is not a whole number")]
    [InlineData("ShutdownTimeout", "soon", "'ShutdownTimeout' is 'soon', which is not a number")]
    [InlineData("MaxRequestBodyBytes", "99999999999999999999", "'MaxRequestBodyBytes' is '99999999999999999999', which is not a whole number")]
    public void A_flag_of_the_wrong_form_is_said_in_words_without_dotnet_type_names(string setting, string value, string expected)
    {
        var error = Assert.Throws<ArgumentException>(() => ServerConfiguration.Load(null, new Dictionary<string, string?> { [setting] = value }, new Hashtable()));

        Assert.Equal($"command line: {expected}", error.Message);
    }

    [Fact]
    public void An_unknown_setting_in_a_file_lists_the_known_ones()
    {
        File.WriteAllText(_file, """{ "ChatEngine": { "Paralel": 2 } }""");

        var error = Assert.Throws<ArgumentException>(() => ServerConfiguration.Load(_file, None, new Hashtable()));

        Assert.StartsWith($"{_file} (ChatEngine section): unknown setting 'Paralel'; the settings are ModelPath, ", error.Message);
        Assert.Contains("Parallel", error.Message);
        Assert.DoesNotContain("BinderOptions", error.Message);
    }

    [Fact]
    public void A_value_out_of_range_names_the_setting_and_the_value()
    {
        File.WriteAllText(_file, """{ "ChatEngine": { "MaxRequestBodyBytes": 10 } }""");

        var error = Assert.Throws<ArgumentException>(() => ServerConfiguration.Load(_file, None, new Hashtable()));

        Assert.StartsWith("invalid setting MaxRequestBodyBytes = 10: body limit must be at least 1024 bytes", error.Message);
    }

    [Fact]
    public void A_kv_cache_type_llama_cpp_names_is_read_and_another_is_refused_by_name()
    {
        File.WriteAllText(_file, """{ "ChatEngine": { "CacheTypeK": "q8_0", "CacheTypeV": "Q4_0" } }""");
        var options = ServerConfiguration.Load(_file, None, new Hashtable());
        Assert.Equal(new Runtime.Model.KvCacheFormat(Gguf.GgmlType.Q8_0, Gguf.GgmlType.Q4_0), options.CacheFormat);

        File.WriteAllText(_file, """{ "ChatEngine": { "CacheTypeV": "q2_k" } }""");
        var error = Assert.Throws<ArgumentException>(() => ServerConfiguration.Load(_file, None, new Hashtable()));
        Assert.StartsWith("invalid setting CacheTypeV: cache type 'q2_k' is not one of f16, q8_0, q4_0", error.Message);
    }

    [Fact]
    public void The_shutdown_timeout_is_read_from_the_environment_and_must_not_be_negative()
    {
        var options = ServerConfiguration.Load(null, None, new Hashtable { ["CHATENGINE_SHUTDOWNTIMEOUT"] = "2.5" });
        var error = Assert.Throws<ArgumentException>(() => ServerConfiguration.Load(null, new Dictionary<string, string?> { ["ShutdownTimeout"] = "-1" }, new Hashtable()));

        Assert.Equal(30, new ServerOptions().ShutdownTimeout);
        Assert.Equal(2.5, options.ShutdownTimeout);
        Assert.StartsWith("invalid setting ShutdownTimeout = -1: shutdown timeout must be a number of seconds >= 0", error.Message);
    }

    [Fact]
    public void The_otlp_endpoint_is_read_from_the_environment_and_must_be_an_http_url()
    {
        var options = ServerConfiguration.Load(null, None, new Hashtable { ["CHATENGINE_OTLPENDPOINT"] = "http://collector:4318" });
        var error = Assert.Throws<ArgumentException>(() => ServerConfiguration.Load(null, new Dictionary<string, string?> { ["OtlpEndpoint"] = "collector:4318" }, new Hashtable()));

        Assert.Null(new ServerOptions().OtlpEndpoint);
        Assert.Equal("http://collector:4318", options.OtlpEndpoint);
        Assert.StartsWith("invalid setting OtlpEndpoint: 'collector:4318' is not an http(s) URL of an OTLP collector", error.Message);
    }

    [Fact]
    public void A_missing_settings_file_named_explicitly_is_an_error()
    {
        Assert.Throws<FileNotFoundException>(() => ServerConfiguration.Load("/no/such/appsettings.json", None, new Hashtable()));
    }

    public void Dispose() => File.Delete(_file);
}
