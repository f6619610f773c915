from intel.urlnorm import normalise_url


def test_tracking_parameters_fragments_and_host_case_are_removed():
    assert normalise_url("HTTPS://WWW.Reuters.com/article/x?utm_source=tw&id=7&fbclid=1#comments") == (
        "https://www.reuters.com/article/x?id=7"
    )


def test_query_order_and_default_ports_do_not_matter():
    assert normalise_url("http://a.example:80/p?b=2&a=1") == normalise_url("http://a.example/p?a=1&b=2")


def test_non_default_port_and_path_case_are_kept():
    assert normalise_url("https://a.example:8443/Path") == "https://a.example:8443/Path"


def test_empty_url_stays_empty():
    assert normalise_url("  ") == ""
