"""pacer.gps"""
