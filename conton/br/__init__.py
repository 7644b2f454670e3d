"""Pure Brazilian pieces: business days and holidays, tax-deadline rules (and, as they move here, boleto, PIX,
amounts in words, CPF/CNPJ/CEP, money parsing).

Everything here is plain Python over plain values: no database, no NiceGUI, no settings, no clock. Nothing in this
package imports `conton.services`, `conton.models`, `conton.pages` or `nicegui`; the services build on it (adding
office data such as municipal holidays or a decree's new date), never the other way round.
"""
