"""pacer.dsp"""
