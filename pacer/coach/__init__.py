"""pacer.coach"""
