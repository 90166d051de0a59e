"""Unit tests of tutorial_site.publishing."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from tutorial_site import publishing


def test_times_page_loses_its_cdn_assets_and_keeps_its_table(fixture_site):
    docs = fixture_site.project / "docs"
    for page in [docs / "sg_execution_times.rst", *sorted((docs / "auto_examples").glob("*/sg_execution_times.rst"))]:
        source = [page.read_text(encoding="utf-8")]
        assert "://" in source[0]  # sphinx-gallery still writes the CDN links
        publishing.keep_times_page_offline(None, "auto_examples/x/sg_execution_times", source)
        assert "://" not in source[0]
        assert "<script" not in source[0]
        assert ".. list-table::" in source[0]


def test_other_pages_are_left_alone():
    source = ["see https://example.org\n"]
    publishing.keep_times_page_offline(None, "tutorial", source)
    assert source == ["see https://example.org\n"]


def test_only_cached_inventories_are_used_and_the_rest_named_in_one_line(tmp_path, caplog, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the message names the folder relative to where the build runs
    (tmp_path / "torch.inv").write_bytes(b"cached")
    config = SimpleNamespace(
        api_inventories="cache",
        api_docs={"torch": "https://torch.example/docs/",
                  "tf": ("https://tf.example/api", "https://elsewhere.example/tf.inv"),
                  "numpy": "https://numpy.example/"},
        intersphinx_mapping={"left": "over"},
    )
    (tmp_path / "cache").mkdir()
    (tmp_path / "torch.inv").rename(tmp_path / "cache" / "torch.inv")
    with caplog.at_level("INFO"):
        publishing.use_cached_inventories(SimpleNamespace(confdir=str(tmp_path)), config)
    assert config.intersphinx_mapping == {
        "torch": ("https://torch.example/docs/", str(tmp_path / "cache" / "torch.inv"))}
    messages = [r for r in caplog.records if "API links" in r.getMessage()]
    assert len(messages) == 1 and messages[0].levelname == "INFO"
    assert "tf, numpy in cache" in messages[0].getMessage()
    assert "make inventories" in messages[0].getMessage()


def test_an_inventory_address_defaults_to_objects_inv_under_the_docs():
    assert publishing.documentation_and_inventory("https://x.example/doc/") == (
        "https://x.example/doc/", "https://x.example/doc/objects.inv")
    assert publishing.documentation_and_inventory(("https://a/", "https://b/c.inv")) == ("https://a/", "https://b/c.inv")


# -- Notebook markdown (notebooks.plain_roles, dollar_math) ---------------------------




@pytest.mark.parametrize("url", ["https://x.example/docs", "x.example/docs/", "ftp://x.example/"])
def test_a_site_address_must_be_absolute_and_end_in_a_slash(url):
    from sphinx.errors import ConfigError

    with pytest.raises(ConfigError, match="SITE_URL"):
        publishing.check_site_url(None, SimpleNamespace(site_url=url))
    publishing.check_site_url(None, SimpleNamespace(site_url="https://x.example/docs/"))
    publishing.check_site_url(None, SimpleNamespace(site_url=""))
