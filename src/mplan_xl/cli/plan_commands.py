"""``mplan-xl new`` and ``mplan-xl demo``: write a template or the demo plan."""

from __future__ import annotations


import click

from ..core.plan import CURRENCIES
from .cli_errors import echo
from .group import (
    Number, WROTE, force_option, lang_option, main, one_output, protect_option, runtime_option, workbook_output,
    year_option)


@main.command()
@workbook_output
@lang_option
@click.option("--company", default="", help="Company name written on the Guide sheet.")
@year_option
@click.option("--currency", type=click.Choice(tuple(CURRENCIES), case_sensitive=False), default="EUR",
              show_default=True, help="Currency of every amount.")
@click.option("--author", default="", help="Who prepares the plan.")
@click.option("--envelope", type=Number(min=0), default=None, help="Yearly marketing budget envelope.")
@runtime_option
@protect_option
@force_option
def new(out: str | None, output: str | None, lang: str, company: str, year: int | None, currency: str, author: str,
        envelope: float | None, runtime: str, protect: bool, force: bool) -> None:
    """Write an empty plan template to OUT."""
    out = one_output(out, output)
    from ..workbook import builder

    path = builder.new_workbook(out, lang=lang, company=company, year=year, currency=currency, author=author,
                                envelope=envelope, runtime=runtime, force=force, protect=protect)
    echo(WROTE(lang).format(path=path))


@main.command()
@workbook_output
@lang_option
@click.option("--company", default=None, help="Replace the fictional company's name.")
@year_option
@click.option("--with-errors", is_flag=True, help="Seed the documented problems the validator must find.")
@click.option("--fec", type=click.Path(dir_okay=False), default=None,
              help="Also write the fictional company's accounts export (FEC), to try `mplan-xl actuals` on the demo.")
@runtime_option
@protect_option
@force_option
def demo(out: str | None, output: str | None, lang: str, company: str | None, year: int | None, with_errors: bool,
         fec: str | None, runtime: str, protect: bool, force: bool) -> None:
    """Write a fully filled example plan of a fictional company to OUT."""
    out = one_output(out, output)
    from ..read.outputs import check_outputs

    check_outputs([out, fec], force=force)
    from ..workbook.demo import demo_workbook

    path = demo_workbook(out, lang=lang, company=company, year=year, with_errors=with_errors,
                                 runtime=runtime, force=force, protect=protect)
    echo(WROTE(lang).format(path=path))
    if fec:
        from ..workbook.demo import demo_plan
        from ..workbook.demo_fec import write_demo_fec

        echo(WROTE(lang).format(path=write_demo_fec(demo_plan(lang=lang, company=company, year=year), fec,
                                                           force=force)))
