"""pacer.cli"""
